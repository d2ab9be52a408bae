namespace OneThing.Edge.Messaging.Transport;

/// <summary>Outbound MQTT: receipts, tasks, lifecycle events and status, all at QoS 1.</summary>
public interface IGatewayBus
{
    bool IsConnected { get; }

    Task PublishAsync(string topic, ReadOnlyMemory<byte> payload, bool retain, CancellationToken cancellationToken);
}
