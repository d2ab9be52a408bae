using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace OneThing.Edge.Messaging.Security;

/// <summary>
/// The gateway's own check of who sent a frame or a report, behind the broker's ACL: a report only from a PDA, under
/// its own id; a frame only from the camera it names. The embedded broker tells the session's device (its username);
/// an external broker does not tell who published, so there the topic's id must be a configured device of that role
/// (`Mqtt:Devices`) and the broker's ACL ties each username to its own topics. No devices configured: no check (the
/// open loopback broker, or an external broker left to its ACL alone).
/// </summary>
public sealed partial class DeviceRoles
{
    private readonly Dictionary<string, DeviceCredential> _byUsername;
    private readonly HashSet<(DeviceRole, string)> _ids;
    private readonly BrokerRefusals _refusals;
    private readonly ILogger<DeviceRoles> _logger;

    // A camera refused here is refused for every frame: warn once per kind and id (bounded), count every time.
    private readonly ConcurrentDictionary<(InboundKind, string), bool> _warned = new();
    private const int MaxWarned = 1000;

    public DeviceRoles(IEnumerable<DeviceCredential> devices, BrokerRefusals refusals, ILogger<DeviceRoles> logger)
    {
        var list = devices.ToList();
        _byUsername = list.Where(d => d.Username.Length > 0).DistinctBy(d => d.Username).ToDictionary(d => d.Username, StringComparer.Ordinal);
        _ids = list.Select(d => (d.Role, d.Id)).ToHashSet();
        _refusals = refusals;
        _logger = logger;
    }

    /// <summary>
    /// Whether <paramref name="topic"/> may come from this sender: <paramref name="sessionUsername"/> is the embedded
    /// broker's authenticated user, null when an external broker delivered it. A refusal is counted
    /// (`onething_edge_broker_refusals{kind="publish",reason="role"}`) and logged.
    /// </summary>
    public bool MaySend(InboundTopic topic, string? sessionUsername)
    {
        if (_ids.Count == 0)
        {
            return true;
        }
        var role = topic.Kind == InboundKind.Frame ? DeviceRole.Camera : DeviceRole.Pda;
        var allowed = sessionUsername is null
            ? _ids.Contains((role, topic.SourceId))
            : _byUsername.TryGetValue(sessionUsername, out var device) && device.Role == role && device.Id == topic.SourceId;
        if (!allowed)
        {
            _refusals.Add(RefusalKind.Publish, "role");
            if (_warned.Count < MaxWarned && _warned.TryAdd((topic.Kind, topic.SourceId), true))
            {
                LogRefused(topic.Kind, topic.SourceId, sessionUsername ?? "(external broker)");
            }
        }
        return allowed;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Kind} for {SourceId} refused: the sender {Username} is not that device with that role (further refusals for it are only counted)")]
    private partial void LogRefused(InboundKind kind, string sourceId, string username);
}
