namespace OneThing.Edge.Messaging;

public enum InboundKind { Frame, PdaReport }

/// <summary>An inbound topic taken apart: what it carries and which camera or device sent it.</summary>
public readonly record struct InboundTopic(InboundKind Kind, string SourceId);

/// <summary>The gateway's MQTT topics (DESIGN.md, Contracts): `{prefix}/{site}/...`.</summary>
public sealed class TopicContract(string prefix, string siteId)
{
    public string Prefix { get; } = prefix;
    public string SiteId { get; } = siteId;
    private string Root => $"{Prefix}/{SiteId}";

    public string ReportsFilter => $"{Root}/pda/+/reports";
    public string Frames(string cameraId) => $"{Root}/cameras/{cameraId}/frames";
    public string Reports(string deviceId) => $"{Root}/pda/{deviceId}/reports";
    public string Receipts(string deviceId) => $"{Root}/pda/{deviceId}/receipts";
    public string Tasks(string deviceId) => $"{Root}/pda/{deviceId}/tasks";
    public string ViolationEvents => $"{Root}/events/violations";
    public string LaneRiskEvents => $"{Root}/events/lanes";

    /// <summary>The audit chain's latest anchor (sequence, hash), retained.</summary>
    public string AuditEvents => $"{Root}/events/audit";
    public string GatewayStatus => $"{Root}/gateway/status";

    /// <summary>One instance's status when several gateways share the site (SCALE-OUT.md); the instance is its MQTT client id.</summary>
    public string InstanceStatus(string instanceId) => $"{Root}/gateway/{instanceId}/status";

    /// <summary>Parses a topic the gateway subscribes to; null for anything else (other sites, wrong shape, wildcards).</summary>
    public InboundTopic? Parse(string topic)
    {
        var root = Root + "/";
        if (!topic.StartsWith(root, StringComparison.Ordinal))
        {
            return null;
        }
        var parts = topic[root.Length..].Split('/');
        if (parts.Length != 3 || !IsId(parts[1]))
        {
            return null;
        }
        return (parts[0], parts[2]) switch
        {
            ("cameras", "frames") => new InboundTopic(InboundKind.Frame, parts[1]),
            ("pda", "reports") => new InboundTopic(InboundKind.PdaReport, parts[1]),
            _ => null,
        };
    }

    /// <summary>Camera and device ids are single topic levels without wildcards.</summary>
    public static bool IsId(string id) =>
        id.Length is > 0 and <= 128 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}
