using System.ComponentModel.DataAnnotations;

namespace OneThing.Edge.Messaging;

public enum MqttMode { Embedded, External }

/// <summary>`OneThing:Mqtt`: which broker, how to reach it, and the limits on what it accepts.</summary>
public sealed class MqttOptions : IValidatableObject
{
    public const string Section = "OneThing:Mqtt";

    public MqttMode Mode { get; set; } = MqttMode.Embedded;
    public string Host { get; set; } = "127.0.0.1";

    [Range(0, 65535)]
    public int Port { get; set; } = 1883;

    /// <summary>Address the embedded broker listens on (loopback by default; 0.0.0.0 for cameras on the LAN).</summary>
    public string BindAddress { get; set; } = "127.0.0.1";

    [Required, RegularExpression("^[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*$", ErrorMessage = "OneThing:Mqtt:TopicPrefix must be topic levels of letters, digits, _ or -.")]
    public string TopicPrefix { get; set; } = "onething";

    public bool UseTls { get; set; }
    public bool AllowUntrustedCertificates { get; set; }
    public string? Username { get; set; }
    public string? Password { get; set; }

    /// <summary>
    /// External mode: subscribe to PDA reports as `$share/{SharedGroup}/...` so several gateways split them; each
    /// instance then publishes its status on its own topic.
    /// </summary>
    public string? SharedGroup { get; set; }

    /// <summary>
    /// External mode: subscribe camera frames through <see cref="SharedGroup"/> too, for a broker that picks the member
    /// by a hash of the topic (EMQX `hash_topic`). Never on Mosquitto: round robin would split one camera's frames.
    /// </summary>
    public bool SharedFrames { get; set; }

    /// <summary>External mode: the persistent session's client id (queued QoS 1 reports wait for it while it is away).</summary>
    [RegularExpression("^[A-Za-z0-9_.-]{1,128}$", ErrorMessage = "OneThing:Mqtt:ClientId must be 1-128 letters, digits, '-', '_' or '.' (it names the instance's status topic).")]
    public string? ClientId { get; set; }

    [Range(60, uint.MaxValue)]
    public uint SessionExpirySeconds { get; set; } = 7 * 24 * 3600;

    [Range(1024, 64 * 1024 * 1024)]
    public int MaxFrameBytes { get; set; } = 8 * 1024 * 1024;

    [Range(1024, 64 * 1024 * 1024)]
    public int MaxReportBytes { get; set; } = 8 * 1024 * 1024;

    [Range(1, 64)]
    public int MaxPhotos { get; set; } = 6;

    [Range(16, 65535)]
    public int MaxPhotoSide { get; set; } = 8192;

    /// <summary>Frames waiting per camera; the oldest is dropped (and counted) when a camera gets ahead of detection.</summary>
    [Range(1, 1000)]
    public int FrameQueueCapacity { get; set; } = 4;

    /// <summary>
    /// PDA reports taken off MQTT and waiting for intake. Never dropped: when full, the broker's handler waits (with an
    /// external broker, also the broker's Receive Maximum for the gateway).
    /// </summary>
    [Range(1, ushort.MaxValue)]
    public int ReportQueueCapacity { get; set; } = 64;

    /// <summary>
    /// Embedded broker: messages kept for one offline device (receipts, tasks) before the oldest is dropped, so a PDA
    /// that stays away for weeks cannot grow the gateway's memory without bound.
    /// </summary>
    [Range(1, 100_000)]
    public int MaxQueuedPerDevice { get; set; } = 1000;

    /// <summary>
    /// Embedded broker: bytes (payload and topic) held for one client, queued or sent and not yet acknowledged, before
    /// further messages for it are dropped, so a subscriber that stops reading cannot grow the gateway's memory.
    /// </summary>
    [Range(64 * 1024, long.MaxValue)]
    public long MaxQueuedBytesPerClient { get; set; } = 8L * 1024 * 1024;

    /// <summary>
    /// Embedded broker: the largest MQTT packet a logged-in device may send, header included; a larger announced size
    /// closes the connection before anything is allocated. Unset: the larger of <see cref="MaxFrameBytes"/> and
    /// <see cref="MaxReportBytes"/> plus <see cref="PacketOverheadBytes"/> for topic and properties.
    /// </summary>
    [Range(1024, MqttMaxPacketBytes)]
    public int? MaxPacketBytes { get; set; }

    /// <summary>Topic, properties and header around a frame or report payload, allowed on top of the payload limits.</summary>
    public const int PacketOverheadBytes = 64 * 1024;

    /// <summary>MQTT's own ceiling: the remaining length is at most 268,435,455, plus up to 5 header bytes.</summary>
    private const int MqttMaxPacketBytes = 268_435_460;

    public int PacketLimit => MaxPacketBytes ?? Math.Max(MaxFrameBytes, MaxReportBytes) + PacketOverheadBytes;

    /// <summary>
    /// Embedded broker: the largest CONNECT (client id, username, password, will). It is read before the password is
    /// checked, so it is the most an unauthenticated client can make the broker hold per connection.
    /// </summary>
    [Range(128, 1024 * 1024)]
    public int MaxConnectPacketBytes { get; set; } = 16 * 1024;

    /// <summary>Embedded broker: time from the TCP accept (TLS handshake included) to a successful login; then closed.</summary>
    [Range(1, 300)]
    public int ConnectTimeoutSeconds { get; set; } = 10;

    /// <summary>Embedded broker: open TCP connections, logged in or not; more are closed at accept.</summary>
    [Range(1, 100_000)]
    public int MaxConnections { get; set; } = 1024;

    /// <summary>Embedded broker: connections not logged in yet (TLS handshake, CONNECT, password check); more are closed at accept.</summary>
    [Range(1, 100_000)]
    public int MaxPendingConnections { get; set; } = 64;

    /// <summary>Embedded broker: connections one IP address may open in a burst before <see cref="ConnectsPerAddressPerSecond"/> applies.</summary>
    [Range(1, 100_000)]
    public int MaxConnectsPerAddress { get; set; } = 100;

    /// <summary>Embedded broker: the rate at which an address's connection allowance refills.</summary>
    [Range(0.01, 100_000)]
    public double ConnectsPerAddressPerSecond { get; set; } = 10;

    /// <summary>
    /// Embedded broker: password checks (PBKDF2, ~0.1 s of one core each) run at once; further logins wait for a turn
    /// until their <see cref="ConnectTimeoutSeconds"/> runs out and are then refused as server busy.
    /// </summary>
    [Range(1, 256)]
    public int MaxConcurrentPasswordChecks { get; set; } = 2;

    /// <summary>Embedded broker: MQTT over WebSocket at `/mqtt` on the HTTP listener (`Http:Urls`), for browsers (the officer app).</summary>
    public MqttWebSocketOptions WebSocket { get; set; } = new();

    /// <summary>Several gateways on one external broker, splitting the site's PDA reports (SCALE-OUT.md).</summary>
    public bool IsScaleOut => Mode == MqttMode.External && SharedGroup is { Length: > 0 };

    /// <summary>The external-broker session's client id; also the instance's name in scale-out mode and in its audit anchors.</summary>
    public string SessionClientId(string siteId) => ClientId is { Length: > 0 } id ? id : $"onething-edge-{siteId}";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (SharedFrames && !IsScaleOut)
        {
            yield return new ValidationResult("OneThing:Mqtt:SharedFrames needs OneThing:Mqtt:Mode=External and OneThing:Mqtt:SharedGroup.", [nameof(SharedFrames)]);
        }
        if (MaxPacketBytes is { } packet && packet < Math.Max(MaxFrameBytes, MaxReportBytes))
        {
            yield return new ValidationResult($"OneThing:Mqtt:MaxPacketBytes ({packet}) must be at least OneThing:Mqtt:MaxFrameBytes and OneThing:Mqtt:MaxReportBytes ({Math.Max(MaxFrameBytes, MaxReportBytes)}): the broker would close connections carrying frames or reports the gateway accepts.", [nameof(MaxPacketBytes)]);
        }
        if (MaxPendingConnections > MaxConnections)
        {
            yield return new ValidationResult($"OneThing:Mqtt:MaxPendingConnections ({MaxPendingConnections}) must not exceed OneThing:Mqtt:MaxConnections ({MaxConnections}).", [nameof(MaxPendingConnections)]);
        }
    }
}

/// <summary>`OneThing:Mqtt:WebSocket`: the embedded broker's WebSocket endpoint; ignored with an external broker.</summary>
public sealed class MqttWebSocketOptions
{
    public bool Enabled { get; set; } = true;
}
