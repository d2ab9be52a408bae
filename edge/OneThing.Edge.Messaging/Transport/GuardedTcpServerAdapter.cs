using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using MQTTnet.Adapter;
using MQTTnet.Diagnostics.Logger;
using MQTTnet.Formatter;
using MQTTnet.Implementations;
using MQTTnet.Server;
using OneThing.Edge.Messaging.Security;

namespace OneThing.Edge.Messaging.Transport;

/// <summary>
/// The embedded broker's TCP and TLS listeners, in place of MQTTnet's own: each accepted connection passes the
/// <see cref="ConnectionGate"/> first, and MQTTnet reads it through a <see cref="PacketGuardStream"/>, so the limits
/// hold before MQTTnet parses anything. Listens only on the configured address (MQTTnet's listener also opens the
/// IPv6 wildcard address). The HTTP listener's MQTT over WebSocket (`/mqtt`) comes in through <see cref="Admit"/> and
/// <see cref="ServeWebSocketAsync"/> and gets the same gate, guard and login.
/// </summary>
public sealed partial class GuardedTcpServerAdapter(
    MqttOptions limits,
    ConnectionGate gate,
    BrokerRefusals refusals,
    ILogger<GuardedTcpServerAdapter> logger) : IMqttServerAdapter
{
    private readonly List<Socket> _listeners = [];
    private CancellationTokenSource? _stopping;
    private MqttServerOptions _server = null!;
    private IMqttNetLogger _mqttLogger = null!;

    public Func<IMqttChannelAdapter, Task>? ClientHandler { get; set; }

    public Task StartAsync(MqttServerOptions options, IMqttNetLogger logger)
    {
        _server = options;
        _mqttLogger = logger;
        _stopping = new CancellationTokenSource();
        if (options.DefaultEndpointOptions.IsEnabled)
        {
            Listen(options.DefaultEndpointOptions, tls: null);
        }
        if (options.TlsEndpointOptions.IsEnabled)
        {
            Listen(options.TlsEndpointOptions, options.TlsEndpointOptions);
        }
        return Task.CompletedTask;
    }

    private void Listen(MqttServerTcpEndpointBaseOptions endpoint, MqttServerTlsTcpEndpointOptions? tls)
    {
        var address = endpoint.BoundInterNetworkAddress;
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(address, endpoint.Port));
            socket.Listen(endpoint.ConnectionBacklog);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        endpoint.Port = ((IPEndPoint)socket.LocalEndPoint!).Port;
        _listeners.Add(socket);
        var certificate = tls?.CertificateProvider.GetCertificate();
        _ = AcceptAsync(socket, certificate is null ? null : new SslServerAuthenticationOptions
        {
            ServerCertificate = certificate,
            EnabledSslProtocols = tls!.SslProtocol,
            EncryptionPolicy = EncryptionPolicy.RequireEncryption,
        }, _stopping!.Token);
    }

    private async Task AcceptAsync(Socket listener, SslServerAuthenticationOptions? tls, CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(stopping).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                // Out of file descriptors, for one: keep listening, a moment later.
                LogAcceptFailed(e.SocketErrorCode);
                await Task.Delay(TimeSpan.FromMilliseconds(100), CancellationToken.None).ConfigureAwait(false);
                continue;
            }
            var remote = (IPEndPoint)client.RemoteEndPoint!;
            var login = gate.TryAdmit(remote.Address, () => ShutDown(client), out var refusal);
            if (login is null)
            {
                refusals.Add(RefusalKind.Connect, refusal!);
                client.Dispose();
                continue;
            }
            _ = Task.Run(() => HandleAsync(client, remote, login, tls), CancellationToken.None);
        }
    }

    private async Task HandleAsync(Socket client, IPEndPoint remote, ConnectionGate.PendingLogin login, SslServerAuthenticationOptions? tls)
    {
        client.NoDelay = true;
        Stream stream = new NetworkStream(client, ownsSocket: true);
        await ServeAsync(stream, client.LocalEndPoint, remote, login, tls is null ? null : async plain =>
        {
            var ssl = new SslStream(plain, leaveInnerStreamOpen: false);
            await ssl.AuthenticateAsServerAsync(tls, login.Deadline).ConfigureAwait(false);
            return ssl;
        }).ConfigureAwait(false);
    }

    /// <summary>
    /// A connection from the HTTP listener's `/mqtt` WebSocket endpoint: admitted by the same <see cref="ConnectionGate"/>
    /// (call it before accepting the WebSocket, so the upgrade counts against the login deadline); null when refused,
    /// counted like a refused TCP connection. <paramref name="onDeadline"/> ends the connection when it has not logged
    /// in by `Mqtt:ConnectTimeoutSeconds`.
    /// </summary>
    public ConnectionGate.PendingLogin? Admit(IPAddress address, Action onDeadline)
    {
        if (_stopping is null)
        {
            return null; // the broker is not running
        }
        var login = gate.TryAdmit(address, onDeadline, out var refusal);
        if (login is null)
        {
            refusals.Add(RefusalKind.Connect, refusal!);
        }
        return login;
    }

    /// <summary>
    /// Serves an admitted WebSocket connection exactly like a TCP one: MQTTnet reads its bytes through a
    /// <see cref="PacketGuardStream"/> and the broker checks its login, ACL and roles; returns when the session ends.
    /// </summary>
    public Task ServeWebSocketAsync(WebSocket socket, EndPoint? local, IPEndPoint remote, ConnectionGate.PendingLogin login) =>
        ServeAsync(WebSocketStream.Create(socket, WebSocketMessageType.Binary, ownsWebSocket: true), local, remote, login, tlsHandshake: null);

    private async Task ServeAsync(Stream stream, EndPoint? local, IPEndPoint remote, ConnectionGate.PendingLogin login, Func<Stream, Task<SslStream>>? tlsHandshake)
    {
        PacketGuardStream? guard = null;
        try
        {
            SslStream? ssl = null;
            if (tlsHandshake is not null)
            {
                ssl = await tlsHandshake(stream).ConfigureAwait(false);
                stream = ssl;
            }
            guard = new PacketGuardStream(stream, limits.MaxConnectPacketBytes, limits.PacketLimit);
            stream = guard;
            var channel = new MqttTcpChannel(guard, local, remote, ssl?.RemoteCertificate as X509Certificate2);
            using var adapter = new MqttChannelAdapter(channel, new MqttPacketFormatterAdapter(new MqttBufferWriter(_server.WriterBufferSize, _server.WriterBufferSizeMax)), _mqttLogger);
            gate.Attach(adapter, login);
            if (ClientHandler is { } handler)
            {
                await handler(adapter).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or AuthenticationException or OperationCanceledException or ObjectDisposedException or WebSocketException)
        {
            // The client went away, failed the TLS handshake or ran out of time: nothing to keep.
        }
        finally
        {
            if (guard?.Refusal is { } reason)
            {
                refusals.Add(guard.ConnectReceived.IsCompleted ? RefusalKind.Publish : RefusalKind.Connect, reason);
                LogPacketRefused(remote, reason);
            }
            else if (login.TimedOut)
            {
                refusals.Add(RefusalKind.Connect, ConnectRefusal.ConnectTimeout);
            }
            login.Dispose();
            await stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    // Only the receiving side, rather than Dispose: MQTTnet's pending read ends as end of stream and the handler cleans
    // up, and a login refused as busy at that moment still gets its CONNACK out.
    private static void ShutDown(Socket client)
    {
        try
        {
            client.Shutdown(SocketShutdown.Receive);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }

    public Task StopAsync()
    {
        Close();
        return Task.CompletedTask;
    }

    public void Dispose() => Close();

    private void Close()
    {
        _stopping?.Cancel();
        _stopping?.Dispose();
        _stopping = null;
        foreach (var listener in _listeners)
        {
            listener.Dispose();
        }
        _listeners.Clear();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT accept failed ({Error}); retrying")]
    private partial void LogAcceptFailed(SocketError error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "MQTT connection from {Remote} closed: {Reason}")]
    private partial void LogPacketRefused(IPEndPoint remote, string reason);
}
