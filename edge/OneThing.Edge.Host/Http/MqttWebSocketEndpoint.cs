using System.Net;
using Microsoft.Extensions.Options;
using OneThing.Edge.Messaging;
using OneThing.Edge.Messaging.Security;
using OneThing.Edge.Messaging.Transport;

namespace OneThing.Edge.Host.Http;

/// <summary>
/// MQTT over WebSocket at `/mqtt` on the HTTP listener, for browsers (the officer app), with the embedded broker only
/// (`Mqtt:WebSocket:Enabled`, on by default). The WebSocket is handed to the broker's own listener
/// (<see cref="GuardedTcpServerAdapter"/>), so it passes the same connection gate, packet guard, password check, ACL
/// and role checks as a TCP device. MQTTnet.AspNetCore's adapter is not used: it reads packets without that guard.
/// </summary>
public static class MqttWebSocketEndpoint
{
    public const string Path = "/mqtt";

    /// <summary>The WebSocket subprotocol of MQTT (MQTT 5.0, section 6).</summary>
    public const string SubProtocol = "mqtt";

    public static bool IsServed(MqttOptions mqtt) => mqtt.Mode == MqttMode.Embedded && mqtt.WebSocket.Enabled;

    public static WebApplication MapMqttWebSocket(this WebApplication app)
    {
        if (!IsServed(app.Services.GetRequiredService<MqttOptions>()))
        {
            return app;
        }
        app.UseWebSockets();
        app.Map(Path, ServeAsync);
        return app;
    }

    private static async Task ServeAsync(HttpContext context, GuardedTcpServerAdapter listener, IOptions<BrokerSecurityOptions> security, IHostApplicationLifetime lifetime)
    {
        if (!context.WebSockets.IsWebSocketRequest || !context.WebSockets.WebSocketRequestedProtocols.Contains(SubProtocol, StringComparer.OrdinalIgnoreCase))
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }
        var remote = new IPEndPoint(context.Connection.RemoteIpAddress ?? IPAddress.None, context.Connection.RemotePort);
        if (security.Value.Devices.Count == 0 && !security.Value.OpenTo(remote.Address))
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }
        if (listener.Admit(remote.Address, context.Abort) is not { } login)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }
        System.Net.WebSockets.WebSocket socket;
        try
        {
            socket = await context.WebSockets.AcceptWebSocketAsync(SubProtocol);
        }
        catch
        {
            login.Dispose();
            throw;
        }
        var local = new IPEndPoint(context.Connection.LocalIpAddress ?? IPAddress.None, context.Connection.LocalPort);
        // The web server stops before the broker and waits for open requests (its whole shutdown timeout, 30 s):
        // a stopping gateway drops its WebSocket clients, who reconnect to the next start as from any outage.
        using var stopping = lifetime.ApplicationStopping.Register(context.Abort);
        await listener.ServeWebSocketAsync(socket, local, remote, login);
    }
}
