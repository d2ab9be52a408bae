using MQTTnet.Protocol;
using MQTTnet.Server;

namespace OneThing.Edge.Messaging.Transport;

/// <summary>Who may connect to the embedded broker, and what each device may publish and subscribe to.</summary>
public interface IBrokerAccessPolicy
{
    Task ValidateConnectionAsync(ValidatingConnectionEventArgs e);

    Task ValidateSubscriptionAsync(InterceptingSubscriptionEventArgs e);

    bool MayPublish(InterceptingPublishEventArgs e);
}

/// <summary>No device credentials configured: any client may connect (loopback demo and tests).</summary>
public sealed class OpenAccessPolicy : IBrokerAccessPolicy
{
    public Task ValidateConnectionAsync(ValidatingConnectionEventArgs e)
    {
        e.ReasonCode = MqttConnectReasonCode.Success;
        return Task.CompletedTask;
    }

    public Task ValidateSubscriptionAsync(InterceptingSubscriptionEventArgs e) => Task.CompletedTask;

    public bool MayPublish(InterceptingPublishEventArgs e) => true;
}
