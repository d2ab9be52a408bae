namespace OneThing.Edge.Messaging.Transport;

/// <summary>Why a <see cref="PacketGuardStream"/> ended a connection; also the reason counted on /metrics.</summary>
public static class PacketRefusal
{
    /// <summary>The first packet was not a CONNECT (MQTT-3.1.0-1), so nothing else is read before a login.</summary>
    public const string NotConnectFirst = "not-connect-first";

    /// <summary>A CONNECT larger than `Mqtt:MaxConnectPacketBytes`: refused before a byte of it is allocated.</summary>
    public const string ConnectTooLarge = "connect-too-large";

    /// <summary>A later packet larger than `Mqtt:MaxPacketBytes`.</summary>
    public const string PacketTooLarge = "packet-too-large";

    /// <summary>A remaining-length varint longer than the four bytes MQTT allows.</summary>
    public const string Malformed = "malformed-header";
}

/// <summary>
/// The TCP (or decrypted TLS) stream MQTTnet reads a device's packets from. It hands MQTTnet no byte of a packet until
/// it has read that packet's whole fixed header (type and remaining-length varint) and found the size within the limit,
/// so MQTTnet, which allocates the announced size as soon as it has parsed the header, never sees a header announcing
/// more. A refused packet ends the stream (MQTTnet reads end of stream and closes the connection); the first packet
/// must be a CONNECT within the smaller CONNECT limit, because it is read before the password is checked.
/// </summary>
public sealed class PacketGuardStream(Stream inner, int maxConnectPacketBytes, int maxPacketBytes) : Stream
{
    private const byte ConnectType = 1;
    private const int MaxHeaderBytes = 5; // type byte + at most 4 varint bytes

    private readonly byte[] _header = new byte[MaxHeaderBytes];
    private readonly TaskCompletionSource _connectReceived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _headerLength; // header bytes read from the inner stream, not yet handed out
    private int _headerHandedOut;
    private long _allowance; // bytes of the current, already checked packet that may still be handed out
    private bool _firstPacket = true;

    /// <summary>Completes when MQTTnet has been handed the whole first packet (the CONNECT).</summary>
    public Task ConnectReceived => _connectReceived.Task;

    /// <summary>Set when the guard ended the stream; one of <see cref="PacketRefusal"/>.</summary>
    public string? Refusal { get; private set; }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (Refusal is not null || buffer.IsEmpty)
        {
            return 0;
        }
        if (_allowance == 0 && !await ReadCheckedHeaderAsync(cancellationToken).ConfigureAwait(false))
        {
            return 0;
        }
        int read;
        if (_headerHandedOut < _headerLength)
        {
            read = Math.Min(buffer.Length, _headerLength - _headerHandedOut);
            _header.AsSpan(_headerHandedOut, read).CopyTo(buffer.Span);
            _headerHandedOut += read;
        }
        else
        {
            read = await inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _allowance)], cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return 0;
            }
        }
        _allowance -= read;
        if (_allowance == 0)
        {
            _headerLength = _headerHandedOut = 0;
            if (_firstPacket)
            {
                _firstPacket = false;
                _connectReceived.TrySetResult();
            }
        }
        return read;
    }

    /// <summary>Reads one fixed header from the inner stream (only its bytes: the body stays there) and checks it.</summary>
    private async ValueTask<bool> ReadCheckedHeaderAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var parsed = TryParseHeader(_header.AsSpan(0, _headerLength), out var remainingLength);
            if (parsed == HeaderParse.Malformed)
            {
                return Refuse(PacketRefusal.Malformed);
            }
            if (parsed == HeaderParse.Complete)
            {
                var type = _header[0] >> 4;
                var limit = _firstPacket ? maxConnectPacketBytes : maxPacketBytes;
                if (_firstPacket && type != ConnectType)
                {
                    return Refuse(PacketRefusal.NotConnectFirst);
                }
                if ((long)remainingLength + _headerLength > limit)
                {
                    return Refuse(_firstPacket ? PacketRefusal.ConnectTooLarge : PacketRefusal.PacketTooLarge);
                }
                _allowance = _headerLength + remainingLength;
                return true;
            }
            // One byte at a time: the header's end is only known from its own bytes, and no body byte may be read here.
            var read = await inner.ReadAsync(_header.AsMemory(_headerLength, 1), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return false;
            }
            _headerLength += read;
        }
    }

    private bool Refuse(string reason)
    {
        Refusal = reason;
        return false;
    }

    public enum HeaderParse { Incomplete, Complete, Malformed }

    /// <summary>Parses an MQTT fixed header: one type byte, then the remaining length as a 1-4 byte varint.</summary>
    public static HeaderParse TryParseHeader(ReadOnlySpan<byte> header, out int remainingLength)
    {
        remainingLength = 0;
        for (var i = 1; i < header.Length; i++)
        {
            remainingLength |= (header[i] & 0x7F) << (7 * (i - 1));
            if ((header[i] & 0x80) == 0)
            {
                return HeaderParse.Complete;
            }
            if (i == MaxHeaderBytes - 1)
            {
                return HeaderParse.Malformed;
            }
        }
        return HeaderParse.Incomplete;
    }

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        inner.WriteAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        inner.WriteAsync(buffer, offset, count, cancellationToken);

    public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override void Flush() => inner.Flush();

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }
}
