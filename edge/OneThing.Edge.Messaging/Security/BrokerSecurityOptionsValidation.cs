using System.Net;
using Microsoft.Extensions.Options;

namespace OneThing.Edge.Messaging.Security;

/// <summary>Checks devices and TLS settings at start; each error names the configuration key to fix.</summary>
public sealed class BrokerSecurityOptionsValidation : IValidateOptions<BrokerSecurityOptions>
{
    private const string Key = "OneThing:Mqtt";

    public ValidateOptionsResult Validate(string? name, BrokerSecurityOptions options)
    {
        var errors = new List<string>();
        var usernames = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Devices.Count; i++)
        {
            var device = options.Devices[i];
            var key = $"{Key}:Devices:{i}";
            // An external broker checks logins itself (its password file): there a device is only its role and id.
            var logsInHere = options.Mode == MqttMode.Embedded;
            if (logsInHere && string.IsNullOrWhiteSpace(device.Username))
            {
                errors.Add($"{key}:Username is required.");
            }
            else if (device.Username.Length > 0 && !usernames.Add(device.Username))
            {
                errors.Add($"{key}:Username '{device.Username}' is used by another device.");
            }
            if (logsInHere && !DevicePassword.IsWellFormed(device.PasswordHash))
            {
                // The value itself is not echoed: it is a secret.
                errors.Add($"{key}:PasswordHash must be a '{DevicePassword.Scheme}$iterations$salt$hash' string from `onething-edge hash-password` (set it by environment variable, not in appsettings).");
            }
            if (!Enum.IsDefined(device.Role))
            {
                errors.Add($"{key}:Role must be camera, pda or observer.");
            }
            if (device.Role is DeviceRole.Camera or DeviceRole.Pda && !TopicContract.IsId(device.Id))
            {
                errors.Add($"{key}:Id must be the {device.Role.ToString().ToLowerInvariant()} id: letters, digits, '-', '_' or '.', no MQTT wildcards.");
            }
        }
        if (options.Mode == MqttMode.Embedded && options.Devices.Count == 0 && !options.AllowAnonymous && !IsLoopback(options.BindAddress))
        {
            errors.Add($"{Key}:BindAddress '{options.BindAddress}' is not loopback and {Key}:Devices lists no device, so anyone on the network could use the broker: configure {Key}:Devices, bind to 127.0.0.1, or set {Key}:AllowAnonymous=true.");
        }
        if (options.TlsPort is { } port)
        {
            if (port is < 0 or > 65535)
            {
                errors.Add($"{Key}:TlsPort must be a TCP port (0..65535).");
            }
            if (string.IsNullOrWhiteSpace(options.TlsCertificatePath) || !File.Exists(options.TlsCertificatePath))
            {
                errors.Add($"{Key}:TlsCertificatePath must name an existing PKCS#12 or PEM certificate file when TlsPort is set.");
            }
            if (options.TlsKeyPath is { Length: > 0 } keyPath && !File.Exists(keyPath))
            {
                errors.Add($"{Key}:TlsKeyPath '{keyPath}' does not exist.");
            }
        }
        else if (options.TlsOnly)
        {
            errors.Add($"{Key}:TlsOnly needs {Key}:TlsPort.");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    // An unparsable address is left to the broker's own start error; here only a real non-loopback address counts.
    private static bool IsLoopback(string address) =>
        !IPAddress.TryParse(address, out var ip) || IPAddress.IsLoopback(ip);
}
