using System.Text.Json;
using Microsoft.Extensions.Options;
using OneThing.Edge.Domain.Configuration;
using OneThing.Edge.Messaging;
using OneThing.Edge.Messaging.Transport;
using OneThing.Edge.Storage.Audit;
using Quartz;

namespace OneThing.Edge.Host.Audit;

/// <summary>
/// Anchors the audit chain's head when due: queued for the traffic system (through the outbox, so it survives
/// outages) and published retained on `events/audit`, where anyone allowed to read events can keep a copy. The last
/// anchor is kept in <see cref="RetainedMessages"/>, so an external broker gets it again on every reconnect, and the
/// first run after a start publishes the last anchor taken before (the embedded broker starts empty).
/// </summary>
[DisallowConcurrentExecution]
public sealed partial class AuditAnchorJob(
    AuditAnchors anchors, IOptions<AuditOptions> options, IOptions<SiteOptions> site, MqttOptions mqtt, IGatewayBus bus, RetainedMessages retained,
    TopicContract topics, ILogger<AuditAnchorJob> logger) : IJob
{
    public static readonly JobKey Key = new("audit-anchor", "gateway");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var siteId = site.Value.SiteId;
        var anchor = await anchors.AnchorIfDueAsync(siteId, mqtt.SessionClientId(siteId), options.Value.AnchorEveryEntries, options.Value.AnchorInterval, cancellationToken);
        if (anchor is not null)
        {
            LogAnchored(anchor.Sequence, anchor.EntryHash);
        }
        else if (!retained.Holds(topics.AuditEvents))
        {
            anchor = await anchors.LatestAsync(cancellationToken);
        }
        if (anchor is null)
        {
            return;
        }
        var payload = JsonSerializer.SerializeToUtf8Bytes(anchor, JsonSerializerOptions.Web);
        retained.Keep(topics.AuditEvents, payload);
        if (bus.IsConnected)
        {
            // The traffic system's copy is the one verify-audit checks; this one is for observers, so no retry.
            await bus.PublishAsync(topics.AuditEvents, payload, retain: true, cancellationToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Audit chain anchored at entry {Sequence} ({Hash})")]
    private partial void LogAnchored(long sequence, string hash);
}
