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
    private readonly Dictionary<string, DeviceCredential> _devices;
    private readonly DeviceAcl _acl;
    private readonly BrokerRefusals _refusals;
    private readonly ILogger<DeviceAccessPolicy> _logger;

    // Client id -> username of the device that used it. Another device taking over that id could resume its
    // persistent session and read its subscriptions, so that is refused. Bounded per device: a device's least
    // recently used id is forgotten past MaxClientIdsPerDevice, so only a device's own churn evicts its entries and
    // the map holds at most devices x MaxClientIdsPerDevice ids. Server-assigned ids are never recorded: they are
    // random and their prefix is reserved, so nobody else can claim them.
    public const int MaxClientIdsPerDevice = 16;
    private readonly Lock _ownersLock = new();
    private readonly Dictionary<string, string> _clientIdOwners = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LinkedList<string>> _clientIdsByDevice = new(StringComparer.Ordinal);

    // A camera publishing to the wrong topic does so for every frame: warn once per user and topic, count every time.
    private readonly ConcurrentDictionary<(string?, string), bool> _warnedPublishes = new();
    private const int MaxWarnedPublishes = 1000;

    // Refused logins come in floods from an attacker: one warning per reason and window, the rest counted.
    public static readonly TimeSpan RefusedLoginLogWindow = TimeSpan.FromSeconds(10);
    private readonly LogThrottle _refusedLogins;

    public DeviceAccessPolicy(IEnumerable<DeviceCredential> devices, DeviceAcl acl, BrokerRefusals refusals, TimeProvider time, ILogger<DeviceAccessPolicy> logger)
    {
        _refusedLogins = new LogThrottle(RefusedLoginLogWindow, time);
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
        if (!DevicePassword.VerifyLogin(device, e.Password ?? ""))
        {
            return RefuseConnection(e, MqttConnectReasonCode.BadUserNameOrPassword, known ? "bad-password" : "unknown-user", endpoint);
        }
        if (!string.IsNullOrEmpty(e.AssignedClientIdentifier))
        {
            e.ReasonCode = MqttConnectReasonCode.Success;
            return Task.CompletedTask;
        }
        if (e.ClientId == EmbeddedBroker.GatewayClientId
            || e.ClientId.StartsWith(EmbeddedBroker.AssignedClientIdPrefix, StringComparison.Ordinal)
            || !TryClaimClientId(e.ClientId, e.UserName))
        {
            return RefuseConnection(e, MqttConnectReasonCode.ClientIdentifierNotValid, "client-id-taken", endpoint);
        }
        e.ReasonCode = MqttConnectReasonCode.Success;
        return Task.CompletedTask;
    }

    /// <summary>Client ids whose owner is remembered (bounded by devices x <see cref="MaxClientIdsPerDevice"/>).</summary>
    public int RecordedClientIds
    {
        get { lock (_ownersLock) { return _clientIdOwners.Count; } }
    }

    private bool TryClaimClientId(string clientId, string username)
    {
        lock (_ownersLock)
        {
            if (!_clientIdsByDevice.TryGetValue(username, out var ids))
            {
                ids = new LinkedList<string>();
                _clientIdsByDevice[username] = ids;
            }
            if (_clientIdOwners.TryGetValue(clientId, out var owner))
            {
                if (owner != username)
                {
                    return false;
                }
                ids.Remove(clientId);
            }
            else if (ids.Count >= MaxClientIdsPerDevice)
            {
                _clientIdOwners.Remove(ids.First!.Value);
                ids.RemoveFirst();
            }
            _clientIdOwners[clientId] = username;
            ids.AddLast(clientId);
            return true;
        }
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
        if (_refusedLogins.ShouldLog(reason, out var suppressed))
        {
            LogConnectRefused(e.UserName, e.ClientId, endpoint, reason, suppressed, RefusedLoginLogWindow.TotalSeconds);
        }
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT connection refused ({Reason}): user {Username}, client {ClientId}, from {Endpoint}; {Suppressed} more refused for this reason since the last such line (at most one line per {Seconds} s per reason; every refusal is counted on /metrics)")]
    private partial void LogConnectRefused(string? username, string clientId, string endpoint, string reason, long suppressed, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT publish refused by ACL (further refusals for this user and topic are only counted): user {Username}, client {ClientId}, topic {Topic}")]
    private partial void LogPublishRefused(string? username, string clientId, string topic);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT subscription refused by ACL: user {Username}, client {ClientId}, filter {Filter}")]
    private partial void LogSubscribeRefused(string? username, string clientId, string filter);
}
