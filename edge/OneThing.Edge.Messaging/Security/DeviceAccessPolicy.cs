using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using MQTTnet.Protocol;
using MQTTnet.Server;
using OneThing.Edge.Messaging.Transport;

namespace OneThing.Edge.Messaging.Security;

/// <summary>
/// Devices configured: every client logs in with its own username and password (PBKDF2 hash from configuration) and
/// the <see cref="DeviceAcl"/> decides what it may publish and subscribe to. Refusals are logged without the
/// password and counted in <see cref="BrokerRefusals"/>.
/// </summary>
public sealed partial class DeviceAccessPolicy : IBrokerAccessPolicy
{
    /// <summary>Verified against when the username is unknown, so a wrong username costs as long as a wrong password.</summary>
    private static readonly Lazy<string> DecoyHash = new(() => DevicePassword.HashPassword(Guid.NewGuid().ToString()));

    private readonly Dictionary<string, DeviceCredential> _devices;
    private readonly DeviceAcl _acl;
    private readonly BrokerRefusals _refusals;
    private readonly ILogger<DeviceAccessPolicy> _logger;

    // Client id -> username of the first device that used it. Another device taking over that id could resume its
    // persistent session and read its subscriptions, so that is refused.
    private readonly ConcurrentDictionary<string, string> _clientIdOwners = new(StringComparer.Ordinal);

    // A camera publishing to the wrong topic does so for every frame: warn once per user and topic, count every time.
    private readonly ConcurrentDictionary<(string?, string), bool> _warnedPublishes = new();
    private const int MaxWarnedPublishes = 1000;

    public DeviceAccessPolicy(IEnumerable<DeviceCredential> devices, DeviceAcl acl, BrokerRefusals refusals, ILogger<DeviceAccessPolicy> logger)
    {
        _devices = devices.ToDictionary(d => d.Username, StringComparer.Ordinal);
        _acl = acl;
        _refusals = refusals;
        _logger = logger;
    }

    public Task ValidateConnectionAsync(ValidatingConnectionEventArgs e)
    {
        var endpoint = e.RemoteEndPoint?.ToString() ?? "?";
        if (string.IsNullOrEmpty(e.UserName))
        {
            return RefuseConnection(e, MqttConnectReasonCode.NotAuthorized, "anonymous", endpoint);
        }
        var known = _devices.TryGetValue(e.UserName, out var device);
        var passwordOk = DevicePassword.Verify(e.Password ?? "", known ? device!.PasswordHash : DecoyHash.Value);
        if (!known || !passwordOk)
        {
            return RefuseConnection(e, MqttConnectReasonCode.BadUserNameOrPassword, known ? "bad-password" : "unknown-user", endpoint);
        }
        if (e.ClientId == EmbeddedBroker.GatewayClientId || _clientIdOwners.GetOrAdd(e.ClientId, e.UserName) != e.UserName)
        {
            return RefuseConnection(e, MqttConnectReasonCode.ClientIdentifierNotValid, "client-id-taken", endpoint);
        }
        e.ReasonCode = MqttConnectReasonCode.Success;
        return Task.CompletedTask;
    }

    public Task ValidateSubscriptionAsync(InterceptingSubscriptionEventArgs e)
    {
        var filter = e.TopicFilter.Topic;
        if (_devices.TryGetValue(e.UserName ?? "", out var device) && _acl.MaySubscribe(device, filter))
        {
            return Task.CompletedTask;
        }
        e.ProcessSubscription = false;
        e.Response.ReasonCode = MqttSubscribeReasonCode.NotAuthorized;
        _refusals.Add(RefusalKind.Subscribe, "acl");
        LogSubscribeRefused(e.UserName, e.ClientId, filter);
        return Task.CompletedTask;
    }

    public bool MayPublish(InterceptingPublishEventArgs e)
    {
        var topic = e.ApplicationMessage.Topic;
        if (_devices.TryGetValue(e.UserName ?? "", out var device) && _acl.MayPublish(device, topic))
        {
            return true;
        }
        _refusals.Add(RefusalKind.Publish, "acl");
        if (_warnedPublishes.Count < MaxWarnedPublishes && _warnedPublishes.TryAdd((e.UserName, topic), true))
        {
            LogPublishRefused(e.UserName, e.ClientId, topic);
        }
        return false;
    }

    private Task RefuseConnection(ValidatingConnectionEventArgs e, MqttConnectReasonCode code, string reason, string endpoint)
    {
        e.ReasonCode = code;
        _refusals.Add(RefusalKind.Connect, reason);
        LogConnectRefused(e.UserName, e.ClientId, endpoint, reason);
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT connection refused ({Reason}): user {Username}, client {ClientId}, from {Endpoint}")]
    private partial void LogConnectRefused(string? username, string clientId, string endpoint, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT publish refused by ACL (further refusals for this user and topic are only counted): user {Username}, client {ClientId}, topic {Topic}")]
    private partial void LogPublishRefused(string? username, string clientId, string topic);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT subscription refused by ACL: user {Username}, client {ClientId}, filter {Filter}")]
    private partial void LogSubscribeRefused(string? username, string clientId, string filter);
}
