using System.Reflection;
using System.Text.Json;

namespace OneThing.Edge.Messaging.Transport;

/// <summary>The retained `gateway/status` message: online/offline with version and counters.</summary>
public sealed class GatewayStatus(TopicContract topics, MqttOptions options, IngressCounters counters, TimeProvider time)
{
    public static string Version { get; } =
        typeof(GatewayStatus).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    /// <summary>
    /// The site's status topic; in scale-out mode the instance's own, since instances sharing one retained topic
    /// would overwrite each other (a dead one's last will would say the whole site is offline).
    /// </summary>
    public string Topic { get; } = options.IsScaleOut ? topics.InstanceStatus(options.SessionClientId(topics.SiteId)) : topics.GatewayStatus;

    public byte[] Online() => Build("online");

    public byte[] Offline() => Build("offline");

    private byte[] Build(string state) => JsonSerializer.SerializeToUtf8Bytes(new
    {
        state,
        site = topics.SiteId,
        version = Version,
        at = time.GetUtcNow(),
        frames = new
        {
            received = counters.Cameras.Values.Sum(c => c.Received),
            dropped = counters.Cameras.Values.Sum(c => c.Dropped),
            processed = counters.Cameras.Values.Sum(c => c.Processed),
            unknownCamera = counters.UnknownCameraFrames,
        },
        reports = counters.ReportOutcomes,
    }, PdaJson.Options);
}
