using System.Net;
using System.Net.Sockets;
using System.Text;

namespace OneThing.Edge.Host.Tests.Security;

/// <summary>
/// A TCP connection to a broker that sends exactly the bytes a test gives it, as a hostile client would: a bare fixed
/// header, half a CONNECT, a CONNECT with a wrong password. From a chosen loopback address (Linux routes all of
/// 127.0.0.0/8 to lo), so tests can play many hosts.
/// </summary>
internal sealed class RawMqttConnection : IDisposable
{
    private readonly Socket _socket;

    private RawMqttConnection(Socket socket) => _socket = socket;

    /// <param name="receiveBuffer">The socket's receive buffer (the kernel's autotuned one when null).</param>
    public static async Task<RawMqttConnection> OpenAsync(int port, IPAddress? from = null, int? receiveBuffer = null)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (receiveBuffer is { } size)
            {
                socket.ReceiveBufferSize = size;
            }
            socket.Bind(new IPEndPoint(from ?? IPAddress.Loopback, 0));
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
            return new RawMqttConnection(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>A CONNECT's fixed header announcing the largest MQTT packet (268,435,455 bytes, "256 MiB"), and nothing else.</summary>
    public static readonly byte[] LargestPacketHeader = [0x10, 0xFF, 0xFF, 0xFF, 0x7F];

    /// <summary>An MQTT 3.1.1 CONNECT with a username and password.</summary>
    public static byte[] Connect(string clientId, string username, string password)
    {
        var body = new List<byte> { 0, 4, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 4, 0xC2, 0, 60 };
        foreach (var field in new[] { clientId, username, password })
        {
            var bytes = Encoding.UTF8.GetBytes(field);
            body.Add((byte)(bytes.Length >> 8));
            body.Add((byte)bytes.Length);
            body.AddRange(bytes);
        }
        return [0x10, (byte)body.Count, .. body]; // one length byte: tests keep CONNECTs under 128 bytes
    }

    /// <summary>An MQTT 3.1.1 SUBSCRIBE to one filter at QoS 1.</summary>
    public static byte[] Subscribe(ushort packetId, string filter)
    {
        var topic = Encoding.UTF8.GetBytes(filter);
        byte[] body = [(byte)(packetId >> 8), (byte)packetId, (byte)(topic.Length >> 8), (byte)topic.Length, .. topic, 1];
        return [0x82, (byte)body.Length, .. body]; // one length byte: tests keep filters under 120 bytes
    }

    public Task SendAsync(byte[] bytes) => _socket.SendAsync(bytes);

    /// <summary>Exactly <paramref name="count"/> bytes from the broker.</summary>
    public async Task<byte[]> ReadAsync(int count, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var received = new byte[count];
        for (var at = 0; at < count;)
        {
            var read = await _socket.ReceiveAsync(received.AsMemory(at), cancel.Token);
            at += read > 0 ? read : throw new IOException($"closed after {at} of {count} bytes");
        }
        return received;
    }

    /// <summary>
    /// What the broker sent until it closed the connection, or null if it still had not after <paramref name="timeout"/>.
    /// A reset counts as closed.
    /// </summary>
    public async Task<byte[]?> ReadUntilClosedAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var received = new List<byte>();
        var buffer = new byte[256];
        try
        {
            int read;
            while ((read = await _socket.ReceiveAsync(buffer, cancel.Token)) > 0)
            {
                received.AddRange(buffer.AsSpan(0, read));
            }
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        catch (SocketException)
        {
        }
        return [.. received];
    }

    /// <summary>Whether the broker closed the connection within 30 s without sending anything.</summary>
    public async Task<bool> ClosedWithoutAnswerAsync() => await ReadUntilClosedAsync(TimeSpan.FromSeconds(30)) is { Length: 0 };

    /// <summary>The return code of an MQTT 3.1.1 CONNACK in <paramref name="answer"/> (0x20 0x02 flags code), or null.</summary>
    public static byte? ConnAckCode(byte[]? answer) => answer is [0x20, 0x02, _, var code, ..] ? code : null;

    public void Dispose() => _socket.Dispose();
}
