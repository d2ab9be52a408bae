using OneThing.Edge.Messaging.Transport;
using Xunit;

namespace OneThing.Edge.Messaging.Tests.Transport;

public sealed class PacketGuardStreamTests
{
    private const int MaxConnect = 1024, MaxPacket = 64 * 1024;

    /// <summary>A packet of <paramref name="type"/> whose remaining length is <paramref name="bodyLength"/>, body bytes filled.</summary>
    private static byte[] Packet(int type, int bodyLength, bool withBody = true)
    {
        var header = new List<byte> { (byte)(type << 4) };
        var length = bodyLength;
        do
        {
            var b = (byte)(length % 128);
            length /= 128;
            header.Add(length > 0 ? (byte)(b | 0x80) : b);
        }
        while (length > 0);
        return [.. header, .. withBody ? Enumerable.Repeat((byte)0xAB, bodyLength) : []];
    }

    private static byte[] Connect(int bodyLength = 40) => Packet(1, bodyLength);

    private static byte[] Publish(int bodyLength) => Packet(3, bodyLength);

    /// <summary>Reads what the guard hands out, as MQTTnet would, until it ends the stream.</summary>
    private static async Task<byte[]> ReadAllAsync(Stream stream, int chunk = 4096)
    {
        var output = new MemoryStream();
        var buffer = new byte[chunk];
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            output.Write(buffer, 0, read);
        }
        return output.ToArray();
    }

    [Fact]
    public async Task Packets_within_the_limits_pass_unchanged_and_the_connect_is_signalled()
    {
        byte[] wire = [.. Connect(), .. Publish(MaxPacket - 4), .. Packet(12, 0)];
        await using var guard = new PacketGuardStream(new MemoryStream(wire), MaxConnect, MaxPacket);

        Assert.Equal(wire, await ReadAllAsync(guard));
        Assert.True(guard.ConnectReceived.IsCompletedSuccessfully);
        Assert.Null(guard.Refusal);
    }

    [Fact]
    public async Task A_header_announcing_the_largest_mqtt_packet_256_MiB_ends_the_stream_before_any_byte_reaches_mqttnet()
    {
        var inner = new MemoryStream([.. Packet(1, 268_435_455, withBody: false), .. new byte[100]]);
        await using var guard = new PacketGuardStream(inner, MaxConnect, MaxPacket);

        Assert.Empty(await ReadAllAsync(guard));
        Assert.Equal(PacketRefusal.ConnectTooLarge, guard.Refusal);
        Assert.Equal(5, inner.Position); // the header only: nothing after it was read
        Assert.False(guard.ConnectReceived.IsCompleted);
    }

    [Fact]
    public async Task The_first_packet_must_be_a_connect_within_the_smaller_connect_limit()
    {
        await using var publishFirst = new PacketGuardStream(new MemoryStream(Publish(10)), MaxConnect, MaxPacket);
        Assert.Empty(await ReadAllAsync(publishFirst));
        Assert.Equal(PacketRefusal.NotConnectFirst, publishFirst.Refusal);

        // A CONNECT as large as a frame may be is refused: it arrives before the password is checked.
        await using var bigConnect = new PacketGuardStream(new MemoryStream(Connect(MaxConnect)), MaxConnect, MaxPacket);
        Assert.Empty(await ReadAllAsync(bigConnect));
        Assert.Equal(PacketRefusal.ConnectTooLarge, bigConnect.Refusal);
    }

    [Fact]
    public async Task A_packet_over_the_limit_after_the_connect_ends_the_stream_after_the_packets_before_it()
    {
        byte[] allowed = [.. Connect(), .. Publish(100)];
        await using var guard = new PacketGuardStream(new MemoryStream([.. allowed, .. Publish(MaxPacket)]), MaxConnect, MaxPacket);

        Assert.Equal(allowed, await ReadAllAsync(guard));
        Assert.Equal(PacketRefusal.PacketTooLarge, guard.Refusal);
        Assert.True(guard.ConnectReceived.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task A_remaining_length_longer_than_four_bytes_is_malformed()
    {
        await using var guard = new PacketGuardStream(new MemoryStream([0x10, 0x80, 0x80, 0x80, 0x80, 0x01]), MaxConnect, MaxPacket);
        Assert.Empty(await ReadAllAsync(guard));
        Assert.Equal(PacketRefusal.Malformed, guard.Refusal);
    }

    [Fact]
    public async Task A_read_never_runs_past_the_packet_and_headers_split_across_reads_are_joined()
    {
        byte[] wire = [.. Connect(300), .. Publish(200), .. Publish(MaxPacket + 1)];
        var inner = new TrickleStream(wire, bytesPerRead: 1);
        await using var guard = new PacketGuardStream(inner, MaxConnect, MaxPacket);

        Assert.Equal(wire.AsSpan(0, 303 + 203).ToArray(), await ReadAllAsync(guard, chunk: 64 * 1024));
        Assert.Equal(PacketRefusal.PacketTooLarge, guard.Refusal);
        Assert.Equal(303 + 203 + 4, inner.Position); // the refused packet's 4 header bytes, none of its body
    }

    [Fact]
    public async Task A_connection_that_ends_mid_packet_is_end_of_stream_not_a_refusal()
    {
        await using var guard = new PacketGuardStream(new MemoryStream(Connect(100)[..50]), MaxConnect, MaxPacket);
        Assert.Equal(50, (await ReadAllAsync(guard)).Length);
        Assert.Null(guard.Refusal);
        Assert.False(guard.ConnectReceived.IsCompleted);
    }

    [Theory]
    [InlineData(new byte[] { 0x10, 0x00 }, PacketGuardStream.HeaderParse.Complete, 0)]
    [InlineData(new byte[] { 0x10, 0x7F }, PacketGuardStream.HeaderParse.Complete, 127)]
    [InlineData(new byte[] { 0x10, 0x80, 0x01 }, PacketGuardStream.HeaderParse.Complete, 128)]
    [InlineData(new byte[] { 0x10, 0xFF, 0xFF, 0xFF, 0x7F }, PacketGuardStream.HeaderParse.Complete, 268_435_455)]
    [InlineData(new byte[] { 0x10, 0x80 }, PacketGuardStream.HeaderParse.Incomplete, 0)]
    [InlineData(new byte[] { 0x10 }, PacketGuardStream.HeaderParse.Incomplete, 0)]
    [InlineData(new byte[] { 0x10, 0xFF, 0xFF, 0xFF, 0xFF }, PacketGuardStream.HeaderParse.Malformed, 0)]
    public void The_remaining_length_is_the_mqtt_varint(byte[] header, PacketGuardStream.HeaderParse expected, int remainingLength)
    {
        Assert.Equal(expected, PacketGuardStream.TryParseHeader(header, out var length));
        if (expected == PacketGuardStream.HeaderParse.Complete)
        {
            Assert.Equal(remainingLength, length);
        }
    }

    /// <summary>A stream that returns at most a few bytes per read, as a slow TCP connection does.</summary>
    private sealed class TrickleStream(byte[] data, int bytesPerRead) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, bytesPerRead)], cancellationToken);
    }
}
