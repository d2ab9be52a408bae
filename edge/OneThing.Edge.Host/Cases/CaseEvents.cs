using System.Text.Json;
using OneThing.Edge.Messaging;
using OneThing.Edge.Messaging.Contracts;
using OneThing.Edge.Messaging.Transport;

namespace OneThing.Edge.Host.Cases;

/// <summary>Publishes case lifecycle events (<see cref="CaseEvent"/>) on `{prefix}/{site}/events/violations`.</summary>
public sealed partial class CaseEvents(IGatewayBus bus, TopicContract topics, TimeProvider time, ILogger<CaseEvents> logger)
{
    public async Task PublishAsync(string kind, Guid violationId, CaseEventDetails details, CancellationToken cancellationToken)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(new CaseEvent(kind, violationId, topics.SiteId, time.GetUtcNow(), details), PdaJson.Options);
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
