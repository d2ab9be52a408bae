using System.Text.Json;
using OneThing.Edge.Messaging;
using OneThing.Edge.Messaging.Transport;

namespace OneThing.Edge.Host.Cases;

/// <summary>Case lifecycle events on `{prefix}/{site}/events/violations`: confirmed, forwarded, notified, cleared, escalated, closed.</summary>
public sealed partial class ViolationEvents(IGatewayBus bus, TopicContract topics, TimeProvider time, ILogger<ViolationEvents> logger)
{
    public async Task PublishAsync(string kind, Guid violationId, object details, CancellationToken cancellationToken)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(new { @event = kind, violationId, site = topics.SiteId, at = time.GetUtcNow(), details }, PdaJson.Options);
        try
        {
            await bus.PublishAsync(topics.ViolationEvents, payload, retain: false, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Events are notifications; the case itself is in storage and the outbox.
            LogNotPublished(e, kind, violationId);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lifecycle event {Kind} for {ViolationId} not published")]
    private partial void LogNotPublished(Exception exception, string kind, Guid violationId);
}
