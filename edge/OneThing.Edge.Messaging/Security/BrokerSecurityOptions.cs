namespace OneThing.Edge.Messaging.Security;

public enum DeviceRole { Camera, Pda, Observer }

/// <summary>One device allowed on the embedded broker: `OneThing:Mqtt:Devices:{i}`.</summary>
public sealed class DeviceCredential
{
    public string Username { get; set; } = "";

    /// <summary>From <see cref="DevicePassword.HashPassword(string)"/>; set by environment variable or secrets file, never in appsettings.</summary>
    public string PasswordHash { get; set; } = "";

    public DeviceRole Role { get; set; }

    /// <summary>Camera id (camera) or PDA device id (pda): the topic level this device owns. Unused for observers.</summary>
    public string Id { get; set; } = "";
}

/// <summary>
/// `OneThing:Mqtt` keys that secure the embedded broker. With no devices the broker stays open (loopback demo);
/// with any device every client must log in and the ACL applies.
/// </summary>
public sealed class BrokerSecurityOptions
{
    public List<DeviceCredential> Devices { get; set; } = [];

    /// <summary>
    /// Whether an open broker (no devices) takes a client from <paramref name="address"/> without a login: from this
    /// host only, unless `AllowAnonymous`. The HTTP listener (`/mqtt`, the officer API) may face the network.
    /// </summary>
    public bool OpenTo(System.Net.IPAddress? address) =>
        Devices.Count == 0 && (AllowAnonymous || (address is not null && System.Net.IPAddress.IsLoopback(address)));

    /// <summary>Port of the TLS listener; none when unset.</summary>
    public int? TlsPort { get; set; }

    /// <summary>PKCS#12 (.pfx/.p12) file, or a PEM certificate when <see cref="TlsKeyPath"/> is set.</summary>
    public string? TlsCertificatePath { get; set; }

    /// <summary>Password of the PKCS#12 file or of the encrypted PEM key (environment variable, not appsettings).</summary>
    public string? TlsCertificatePassword { get; set; }

    public string? TlsKeyPath { get; set; }

    /// <summary>Close the plain listener so devices can only reach the broker over TLS.</summary>
    public bool TlsOnly { get; set; }

    /// <summary>
    /// Accept an open broker (no devices) on a non-loopback address. Off by default: anyone on the network could then
    /// publish reports and read every event.
    /// </summary>
    public bool AllowAnonymous { get; set; }

    /// <summary>Same key as <see cref="MqttOptions.Mode"/>, bound here so the anonymous check knows the broker is embedded.</summary>
    public MqttMode Mode { get; set; } = MqttMode.Embedded;

    /// <summary>Same key as <see cref="MqttOptions.BindAddress"/>, bound here for the anonymous check.</summary>
    public string BindAddress { get; set; } = "127.0.0.1";
}
