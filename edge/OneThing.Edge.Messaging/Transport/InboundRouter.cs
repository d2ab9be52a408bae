using System.Buffers;
using MQTTnet;
using MQTTnet.Packets;
using OneThing.Edge.Messaging.Frames;
using OneThing.Edge.Messaging.Pda;
using OneThing.Edge.Messaging.Security;

namespace OneThing.Edge.Messaging.Transport;

/// <summary>
/// Routes an inbound MQTT message by topic; both the embedded broker and the external client feed it. Frames go to
/// their camera's queue without waiting; reports go to the <see cref="PdaReportQueue"/>. Either only from a sender
/// whose role <see cref="DeviceRoles"/> allows.
/// </summary>
public sealed class InboundRouter(TopicContract topics, FrameIngress frames, PdaReportQueue reports, DeviceRoles roles)
{
    public const string CapturedAtProperty = "captured-at";
    public const string SequenceProperty = "seq";

    /// <summary>Embedded broker: waits for a report's first intake attempt, whose outcome sets the PUBACK.</summary>
    /// <param name="username">The user the session logged in as (checked against `Mqtt:Devices` when any are configured).</param>
    /// <returns>anything but <see cref="IntakeOutcome.Committed"/> when a report could not be stored and must not be acknowledged.</returns>
    public async Task<IntakeOutcome> RouteAsync(MqttApplicationMessage message, string? username, CancellationToken cancellationToken) =>
        Route(message, username, out var deviceId) switch
        {
            Routed.Report => await reports.IntakeOnceAsync(deviceId, message.Payload.ToArray(), cancellationToken),
            Routed.Refused => IntakeOutcome.Refused,
            _ => IntakeOutcome.Committed,
        };

    /// <summary>External broker: returns once a report is queued; the queue calls <paramref name="acknowledge"/> after its commit.</summary>
    /// <returns>true for a report (acknowledged later), false for anything else (acknowledge it now).</returns>
    public async Task<bool> HandOverAsync(MqttApplicationMessage message, Func<CancellationToken, Task> acknowledge, CancellationToken cancellationToken)
    {
        // The external broker does not say who published: the topic's id must be a configured device of that role.
        if (Route(message, username: null, out var deviceId) != Routed.Report)
        {
            return false;
        }
        await reports.HandOverAsync(deviceId, message.Payload.ToArray(), acknowledge, cancellationToken);
        return true;
    }

    private enum Routed { Done, Refused, Report }

    /// <summary>
    /// Checks the sender's role for the topic and offers a frame to its camera's queue; a report is left to the caller
    /// (<paramref name="deviceId"/> is its PDA; its payload must be copied: MQTTnet reuses the buffer).
    /// </summary>
    private Routed Route(MqttApplicationMessage message, string? username, out string deviceId)
    {
        deviceId = "";
        if (topics.Parse(message.Topic) is not { } inbound)
        {
            return Routed.Done;
        }
        if (!roles.MaySend(inbound, username))
        {
            return Routed.Refused;
        }
        if (inbound.Kind == InboundKind.Frame)
        {
            frames.Offer(inbound.SourceId, message.Payload, Property(message, CapturedAtProperty), Property(message, SequenceProperty));
            return Routed.Done;
        }
        deviceId = inbound.SourceId;
        return Routed.Report;
    }

    private static string? Property(MqttApplicationMessage message, string name) =>
        message.UserProperties?.FirstOrDefault(p => p.Name == name)?.ReadValueAsString();
}
