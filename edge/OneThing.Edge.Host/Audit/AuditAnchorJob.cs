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
/// outages) and published retained on `events/audit`, where anyone allowed to read events can keep a copy.
/// </summary>
[DisallowConcurrentExecution]
public sealed partial class AuditAnchorJob(
    AuditAnchors anchors, IOptions<AuditOptions> options, IOptions<SiteOptions> site, IGatewayBus bus, TopicContract topics, ILogger<AuditAnchorJob> logger) : IJob
{
    public static readonly JobKey Key = new("audit-anchor", "gateway");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var anchor = await anchors.AnchorIfDueAsync(site.Value.SiteId, options.Value.AnchorEveryEntries, options.Value.AnchorInterval, cancellationToken);
        if (anchor is null)
        {
            return;
        }
        LogAnchored(anchor.Sequence, anchor.EntryHash);
        if (bus.IsConnected)
        {
            // The traffic system's copy is the one verify-audit checks; this one is for observers, so no retry.
            await bus.PublishAsync(topics.AuditEvents, JsonSerializer.SerializeToUtf8Bytes(anchor, JsonSerializerOptions.Web), retain: true, cancellationToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Audit chain anchored at entry {Sequence} ({Hash})")]
    private partial void LogAnchored(long sequence, string hash);
}
