using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using MQTTnet;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using MQTTnet.Server;
using OneThing.Edge.Messaging.Security;

namespace OneThing.Edge.Messaging.Transport;

/// <summary>Why the embedded broker dropped a message for a subscriber; counted on /metrics.</summary>
public static class QueueDrop
{
    /// <summary>The subscriber's bytes queued and unacknowledged were at `Mqtt:MaxQueuedBytesPerClient`.</summary>
    public const string QueuedBytes = "queued-bytes";

    /// <summary>The subscriber's queue held `Mqtt:MaxQueuedPerDevice` messages: the oldest went.</summary>
    public const string QueuedMessages = "queued-messages";
}

/// <summary>
/// Bounds in bytes what the embedded broker holds for one client: messages queued for it and those sent but not yet
/// acknowledged (QoS 1). MQTTnet bounds a session's queue by count only (and does not honour a client's Receive
/// Maximum), so a subscriber that stops reading, or reads and never acknowledges, would otherwise keep up to
/// `Mqtt:MaxQueuedPerDevice` messages of up to a frame each. A message is admitted while the client's bytes are below
/// `Mqtt:MaxQueuedBytesPerClient` (so one message larger than the budget still reaches an idle client), otherwise
/// dropped for that client only and counted. Bytes leave the budget when a QoS 0 message is written to the client or
/// a QoS 1 message is acknowledged. A login starts from zero: MQTTnet rebuilds a resumed session's queue from its
/// unacknowledged messages, which are then bounded by `Mqtt:MaxQueuedPerDevice` alone.
/// </summary>
public sealed class ClientQueueBudget : IDisposable
{
    /// <summary>The counter of dropped messages by `reason` (<see cref="QueueDrop"/>): `onething_edge_broker_dropped_messages`.</summary>
    public const string DroppedMessages = "dropped_messages";

    private readonly long _budget;
    private readonly ConcurrentDictionary<string, long> _bytes = new(StringComparer.Ordinal);
    private readonly Meter _meter = new(BrokerRefusals.MeterName);
    private readonly Counter<long> _dropped;

    public ClientQueueBudget(MqttOptions options)
    {
        _budget = options.MaxQueuedBytesPerClient;
        _dropped = _meter.CreateCounter<long>(DroppedMessages, description: "Messages the embedded broker dropped for a subscriber, by reason (queued-bytes, queued-messages)");
        _meter.CreateObservableGauge("queued_bytes", () => _bytes.Values.Sum(), description: "Bytes the embedded broker holds for its clients: queued or sent and not yet acknowledged");
    }

    public void Attach(MqttServer server)
    {
        server.InterceptingClientEnqueueAsync += e =>
        {
            e.AcceptEnqueue = TryAdmit(e.ReceiverClientId, e.ApplicationMessage.Payload.Length + e.ApplicationMessage.Topic.Length);
            return Task.CompletedTask;
        };
        server.QueuedApplicationMessageOverwrittenAsync += e =>
        {
            Release(e.ReceiverClientId, e.Packet);
            Drop(QueueDrop.QueuedMessages);
            return Task.CompletedTask;
        };
        // Every packet to every client passes here: most are no QoS 0 message, or go to a client with nothing held
        // (Release returns after one lookup).
        server.InterceptingOutboundPacketAsync += e =>
        {
            if (e.Packet is MqttPublishPacket { QualityOfServiceLevel: MqttQualityOfServiceLevel.AtMostOnce })
            {
                Release(e.ClientId, e.Packet);
            }
            return Task.CompletedTask;
        };
        server.ClientAcknowledgedPublishPacketAsync += e =>
        {
            if (e.IsCompleted)
            {
                Release(e.ClientId, e.PublishPacket);
            }
            return Task.CompletedTask;
        };
        server.ValidatingConnectionAsync += e =>
        {
            if (e.ReasonCode == MqttConnectReasonCode.Success)
            {
                _bytes.TryRemove(string.IsNullOrEmpty(e.ClientId) ? e.AssignedClientIdentifier : e.ClientId, out _);
            }
            return Task.CompletedTask;
        };
        server.SessionDeletedAsync += e =>
        {
            _bytes.TryRemove(e.Id, out _);
            return Task.CompletedTask;
        };
    }

    private bool TryAdmit(string clientId, long size)
    {
        var admitted = true;
        _bytes.AddOrUpdate(clientId, size, (_, held) =>
        {
            admitted = held == 0 || held + size <= _budget;
            return admitted ? held + size : held;
        });
        if (!admitted)
        {
            Drop(QueueDrop.QueuedBytes);
        }
        return admitted;
    }

    private void Release(string clientId, MqttPacket packet)
    {
        if (packet is not MqttPublishPacket publish)
        {
            return;
        }
        // Without a closure and without adding a client that holds nothing (compare-and-swap against concurrent admits).
        var size = publish.Payload.Length + publish.Topic.Length;
        while (_bytes.TryGetValue(clientId, out var held) && held > 0 && !_bytes.TryUpdate(clientId, Math.Max(0, held - size), held))
        {
        }
    }

    private void Drop(string reason)
    {
        _dropped.Add(1, new KeyValuePair<string, object?>("reason", reason));
    }

    public void Dispose() => _meter.Dispose();
}
