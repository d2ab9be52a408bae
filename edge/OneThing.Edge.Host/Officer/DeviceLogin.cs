using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Options;
using OneThing.Edge.Host.OperatorConsole;
using OneThing.Edge.Messaging;
using OneThing.Edge.Messaging.Security;
using OneThing.Edge.Messaging.Transport;

namespace OneThing.Edge.Host.Officer;

/// <summary>
/// The officer API's login: HTTP Basic with a device's MQTT username and password (`Mqtt:Devices`), checked like a
/// broker login (the same PBKDF2 check, decoy for unknown users, password-check turns shared with the broker), plus
/// a back-off per client address after failed logins; a login verified in the last minutes is not checked again
/// (<see cref="VerifiedLogins"/>). Only a PDA gets in; its device id is the caller. With no
/// devices configured (the open loopback broker) a client on this host is the PDA its username names. A refusal
/// carries no `WWW-Authenticate`, so the browser shows the app's login, not its own dialog.
/// </summary>
public sealed class DeviceLogin(IOptionsMonitor<BrokerSecurityOptions> security, ConnectionGate gate, MqttOptions mqtt, TimeProvider time)
{
    private const string DeviceKey = "officer-device";
    private readonly LoginThrottle _throttle = new(time);
    private readonly VerifiedLogins _verified = new(time);

    /// <summary>The PDA device id of a request the <see cref="PdaRequired"/> filter let in.</summary>
    public static string DeviceOf(HttpContext context) => (string)context.Items[DeviceKey]!;

    /// <summary>Null when the request comes from a PDA (its device id is then <see cref="DeviceOf"/>), else the refusal.</summary>
    public async Task<IResult?> RefuseAsync(HttpContext context)
    {
        if (!TryReadBasic(context.Request, out var username, out var password))
        {
            return new OfficerError(OfficerError.LoginRequired, "log in with the device's username and password (HTTP Basic)").ToResult(StatusCodes.Status401Unauthorized);
        }
        var address = context.Connection.RemoteIpAddress;
        if (_throttle.RetryAfter(address) is { } wait)
        {
            context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return new OfficerError(OfficerError.TooManyFailedLogins, "too many failed logins from this address; retry later").ToResult(StatusCodes.Status429TooManyRequests);
        }
        var devices = security.CurrentValue.Devices;
        if (devices.Count == 0 && mqtt.Mode == MqttMode.Embedded)
        {
            return OpenBroker(context, username);
        }
        var device = devices.FirstOrDefault(d => d.Username == username);
        if (device is null || !_verified.Contains(device, password))
        {
            if (await VerifyAsync(context, address, device, password) is { } refusal)
            {
                return refusal;
            }
            _verified.Add(device!, password);
        }
        _throttle.Succeeded(address);
        if (device!.Role != DeviceRole.Pda)
        {
            return new OfficerError(OfficerError.NotAPda, "only a PDA's login may use the officer app").ToResult(StatusCodes.Status403Forbidden);
        }
        context.Items[DeviceKey] = device.Id;
        return null;
    }

    /// <summary>The broker's password check, on one of its turns; null when the password is the device's.</summary>
    private async Task<IResult?> VerifyAsync(HttpContext context, IPAddress? address, DeviceCredential? device, string password)
    {
        using var giveUp = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        giveUp.CancelAfter(TimeSpan.FromSeconds(mqtt.ConnectTimeoutSeconds));
        bool verified;
        using (var turn = await gate.EnterPasswordCheckAsync(giveUp.Token))
        {
            if (turn is null)
            {
                context.Response.Headers.RetryAfter = "1";
                return new OfficerError(OfficerError.LoginBusy, "the gateway is checking other logins; retry in a moment").ToResult(StatusCodes.Status503ServiceUnavailable);
            }
            verified = DevicePassword.VerifyLogin(device, password);
        }
        if (!verified)
        {
            _throttle.Failed(address);
            return new OfficerError(OfficerError.BadLogin, "unknown username or wrong password").ToResult(StatusCodes.Status401Unauthorized);
        }
        return null;
    }

    /// <summary>
    /// No devices: the embedded broker is open to this host (loopback demo), and so is the API, as the PDA the
    /// username names; from elsewhere only with `Mqtt:AllowAnonymous`, as `/mqtt`.
    /// </summary>
    private IResult? OpenBroker(HttpContext context, string deviceId)
    {
        if (!security.CurrentValue.OpenTo(context.Connection.RemoteIpAddress) || !TopicContract.IsId(deviceId))
        {
            return new OfficerError(OfficerError.BadLogin, "no devices are configured: log in from the gateway's host with a PDA's device id").ToResult(StatusCodes.Status401Unauthorized);
        }
        context.Items[DeviceKey] = deviceId;
        return null;
    }

    private static bool TryReadBasic(HttpRequest request, out string username, out string password)
    {
        username = password = "";
        if (!AuthenticationHeaderValue.TryParse(request.Headers.Authorization.ToString(), out var header)
            || !string.Equals(header.Scheme, "Basic", StringComparison.OrdinalIgnoreCase) || header.Parameter is null)
        {
            return false;
        }
        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header.Parameter));
        }
        catch (FormatException)
        {
            return false;
        }
        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            return false;
        }
        (username, password) = (decoded[..colon], decoded[(colon + 1)..]);
        return true;
    }
}

/// <summary>Endpoint filter of the officer API: lets a PDA's request through, refuses anything else (<see cref="DeviceLogin"/>).</summary>
public sealed class PdaRequired(DeviceLogin login) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        await login.RefuseAsync(context.HttpContext) ?? await next(context);
}
