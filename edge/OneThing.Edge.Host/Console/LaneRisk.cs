using System.Text.Json;
using Microsoft.Extensions.Options;
using OneThing.Edge.Domain.Configuration;
using OneThing.Edge.Messaging;
using OneThing.Edge.Messaging.Transport;
using OneThing.Edge.Storage.Cases;
using Quartz;

namespace OneThing.Edge.Host.OperatorConsole;

public enum RiskLevel { Green, Yellow, Red }

public sealed record LaneRating(string LaneId, string? CameraId, int Cases, RiskLevel Level);

/// <summary>The latest rating of every lane, for the console.</summary>
public sealed class LaneRiskBoard
{
    private volatile IReadOnlyList<LaneRating> _ratings = [];

    public IReadOnlyList<LaneRating> Ratings => _ratings;
    public DateTimeOffset? RatedAt { get; private set; }

    public void Update(IReadOnlyList<LaneRating> ratings, DateTimeOffset at)
    {
        _ratings = ratings;
        RatedAt = at;
    }
}

/// <summary>
/// Rates each lane by its cases in the last `Risk:WindowHours`: red at `RedCases`, yellow at `YellowCases`, else green;
/// publishes the ratings (retained, so a dashboard that connects later sees them) on `{prefix}/{site}/events/lanes`.
/// </summary>
[DisallowConcurrentExecution]
public sealed partial class LaneRiskJob(
    CaseQueries cases, IOptionsMonitor<SiteOptions> site, IOptionsMonitor<RiskOptions> risk, LaneRiskBoard board,
    IGatewayBus bus, TopicContract topics, TimeProvider time, ILogger<LaneRiskJob> logger) : IJob
{
    public static readonly JobKey Key = new("lane-risk");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var options = risk.CurrentValue;
        var counts = await cases.CountByLaneSinceAsync(now.AddHours(-options.WindowHours), cancellationToken);
        var lanes = site.CurrentValue.Cameras.SelectMany(c => c.Lanes.Select(l => (LaneId: l.Id, CameraId: (string?)c.Id))).ToList();
        // PDA cases may name lanes no camera watches; they are rated too.
        lanes.AddRange(counts.Keys.Where(id => lanes.All(l => l.LaneId != id)).Select(id => (id, (string?)null)));
        var ratings = lanes.Select(l =>
        {
            var n = counts.GetValueOrDefault(l.LaneId);
            var level = n >= options.RedCases ? RiskLevel.Red : n >= options.YellowCases ? RiskLevel.Yellow : RiskLevel.Green;
            return new LaneRating(l.LaneId, l.CameraId, n, level);
        }).ToList();
        board.Update(ratings, now);

        var payload = JsonSerializer.SerializeToUtf8Bytes(new
        {
            @event = "lane-risk",
            site = topics.SiteId,
            at = now,
            windowHours = options.WindowHours,
            lanes = ratings.Select(r => new { laneId = r.LaneId, cameraId = r.CameraId, cases = r.Cases, level = r.Level.ToString().ToLowerInvariant() }),
        }, PdaJson.Options);
        // The rating is still on the console and the next run publishes again: one line, no stack trace, for a broker
        // that is away (external mode) or refuses.
        if (!bus.IsConnected)
        {
            LogNotPublished("the MQTT broker is not connected");
            return;
        }
        try
        {
            await bus.PublishAsync(topics.LaneRiskEvents, payload, retain: true, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogNotPublished(e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lane risk ratings not published: {Reason}; the console shows them and the next run publishes again")]
    private partial void LogNotPublished(string reason);
}
