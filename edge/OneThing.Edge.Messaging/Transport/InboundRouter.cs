using System.Buffers;
using MQTTnet;
using MQTTnet.Packets;
using OneThing.Edge.Messaging.Frames;
using OneThing.Edge.Messaging.Pda;

namespace OneThing.Edge.Messaging.Transport;

/// <summary>
/// Routes an inbound MQTT message by topic; both the embedded broker and the external client feed it. Frames go to
/// their camera's queue without waiting; reports go to the <see cref="PdaReportQueue"/>.
/// </summary>
public sealed class InboundRouter(TopicContract topics, FrameIngress frames, PdaReportQueue reports)
{
    public const string CapturedAtProperty = "captured-at";
    public const string SequenceProperty = "seq";

    /// <summary>Embedded broker: waits for a report's first intake attempt, whose outcome sets the PUBACK.</summary>
    /// <returns>anything but <see cref="IntakeOutcome.Committed"/> when a report could not be stored and must not be acknowledged.</returns>
    public async Task<IntakeOutcome> RouteAsync(MqttApplicationMessage message, CancellationToken cancellationToken) =>
        Route(message) is { } report
            ? await reports.IntakeOnceAsync(report.DeviceId, report.Payload, cancellationToken)
            : IntakeOutcome.Committed;

    /// <summary>External broker: returns once a report is queued; the queue calls <paramref name="acknowledge"/> after its commit.</summary>
    /// <returns>true for a report (acknowledged later), false for anything else (acknowledge it now).</returns>
    public async Task<bool> HandOverAsync(MqttApplicationMessage message, Func<CancellationToken, Task> acknowledge, CancellationToken cancellationToken)
    {
        if (Route(message) is not { } report)
        {
            return false;
        }
        await reports.HandOverAsync(report.DeviceId, report.Payload, acknowledge, cancellationToken);
        return true;
    }

    /// <summary>Offers a frame to its camera's queue; a report's device and payload (copied: MQTTnet reuses its buffer) are returned.</summary>
    private (string DeviceId, byte[] Payload)? Route(MqttApplicationMessage message)
    {
        switch (topics.Parse(message.Topic))
        {
            case { Kind: InboundKind.Frame } frame:
                frames.Offer(frame.SourceId, message.Payload, Property(message, CapturedAtProperty), Property(message, SequenceProperty));
                return null;
            case { Kind: InboundKind.PdaReport } report:
                return (report.SourceId, message.Payload.ToArray());
            default:
                return null;
        }
    }

    private static string? Property(MqttApplicationMessage message, string name) =>
        message.UserProperties?.FirstOrDefault(p => p.Name == name)?.ReadValueAsString();
}
