using System.ComponentModel.DataAnnotations;

namespace OneThing.Edge.Messaging;

public enum MqttMode { Embedded, External }

/// <summary>`OneThing:Mqtt`: which broker, how to reach it, and the limits on what it accepts.</summary>
public sealed class MqttOptions
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

    /// <summary>External mode: subscribe to PDA reports as `$share/{SharedGroup}/...` so several gateways split them.</summary>
    public string? SharedGroup { get; set; }

    /// <summary>External mode: the persistent session's client id (queued QoS 1 reports wait for it while it is away).</summary>
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
    /// Embedded broker: messages kept for one offline device (receipts, tasks) before the oldest is dropped, so a PDA
    /// that stays away for weeks cannot grow the gateway's memory without bound.
    /// </summary>
    [Range(1, 100_000)]
    public int MaxQueuedPerDevice { get; set; } = 1000;
}
