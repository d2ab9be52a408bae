namespace OneThing.Edge.Messaging.Security;

/// <summary>
/// What each device role may publish and subscribe to under `{prefix}/{site}`; everything not granted is refused, so
/// the gateway-owned topics (receipts, tasks, events, status) stay the gateway's. Mirrors deploy/mosquitto/acl.
/// </summary>
public sealed class DeviceAcl(TopicContract topics)
{
    public IReadOnlyList<string> PublishGrants(DeviceCredential device) => device.Role switch
    {
        DeviceRole.Camera => [topics.Frames(device.Id)],
        DeviceRole.Pda => [topics.Reports(device.Id)],
        _ => [],
    };

    public IReadOnlyList<string> SubscribeGrants(DeviceCredential device) => device.Role switch
    {
        DeviceRole.Camera => [topics.GatewayStatus],
        DeviceRole.Pda => [topics.Receipts(device.Id), topics.Tasks(device.Id), topics.GatewayStatus],
        // Observers read only what carries no personal data: case events (no plate, no officer id), lane risk and the
        // audit chain's anchors (a sequence and a hash).
        DeviceRole.Observer => [topics.ViolationEvents, topics.LaneRiskEvents, topics.AuditEvents, topics.GatewayStatus],
        _ => [],
    };

    public bool MayPublish(DeviceCredential device, string topic) =>
        !HasWildcard(topic) && PublishGrants(device).Any(grant => Covers(grant, topic));

    public bool MaySubscribe(DeviceCredential device, string filter) =>
        SubscribeGrants(device).Any(grant => Covers(grant, filter));

    /// <summary>
    /// Whether every topic <paramref name="filter"/> can match is also matched by <paramref name="grant"/>: a PDA may
    /// subscribe to its own receipts but not to `pda/+/receipts`, which would include other devices' receipts.
    /// </summary>
    public static bool Covers(string grant, string filter)
    {
        if (filter.StartsWith('$'))
        {
            return false; // $SYS and $share are not device business
        }
        var g = grant.Split('/');
        var f = filter.Split('/');
        for (var i = 0; i < g.Length; i++)
        {
            if (g[i] == "#")
            {
                return true;
            }
            if (i >= f.Length)
            {
                return false;
            }
            if (f[i] == "#" || (f[i] == "+" && g[i] != "+") || (g[i] != "+" && g[i] != f[i]))
            {
                return false;
            }
        }
        return f.Length == g.Length;
    }

    private static bool HasWildcard(string topic) => topic.Contains('+', StringComparison.Ordinal) || topic.Contains('#', StringComparison.Ordinal);
}
