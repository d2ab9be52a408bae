using System.Buffers;
using MQTTnet;
using MQTTnet.Packets;
using OneThing.Edge.Messaging.Frames;
using OneThing.Edge.Messaging.Pda;

namespace OneThing.Edge.Messaging.Transport;

/// <summary>Routes an inbound MQTT message by topic; both the embedded broker and the external client feed it.</summary>
public sealed class InboundRouter(TopicContract topics, FrameIngress frames, PdaIntake pda)
{
    public const string CapturedAtProperty = "captured-at";
    public const string SequenceProperty = "seq";

    /// <returns>anything but <see cref="IntakeOutcome.Committed"/> when a report could not be stored and must not be acknowledged.</returns>
    public async Task<IntakeOutcome> RouteAsync(MqttApplicationMessage message, CancellationToken cancellationToken)
    {
        switch (topics.Parse(message.Topic))
        {
            case { Kind: InboundKind.Frame } frame:
                frames.Offer(frame.SourceId, message.Payload, Property(message, CapturedAtProperty), Property(message, SequenceProperty));
                return IntakeOutcome.Committed;
            case { Kind: InboundKind.PdaReport } report:
                return await pda.HandleAsync(report.SourceId, message.Payload.ToArray(), cancellationToken);
            default:
                return IntakeOutcome.Committed;
        }
    }

    private static string? Property(MqttApplicationMessage message, string name) =>
        message.UserProperties?.FirstOrDefault(p => p.Name == name)?.ReadValueAsString();
}
