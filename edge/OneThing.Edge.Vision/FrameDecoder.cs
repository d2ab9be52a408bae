using System.Buffers.Binary;
using OpenCvSharp;

namespace OneThing.Edge.Vision;

/// <summary>Why a frame could not be decoded; <see cref="Code"/> is stable and safe to count or return to a client.</summary>
public sealed class FrameDecodeException : Exception
{
    public const string Empty = "empty";
    public const string NotAnImage = "not-an-image";
    public const string Truncated = "truncated";
    public const string Corrupt = "corrupt";
    public const string TooLarge = "too-large";
    public const string DimensionsTooLarge = "dimensions-too-large";

    public FrameDecodeException(string code, string message) : base(message) => Code = code;

    public FrameDecodeException(string code, string message, Exception inner) : base(message, inner) => Code = code;

    public string Code { get; }
}

/// <summary>
/// JPEG/PNG bytes to a BGR 8UC3 <see cref="Mat"/>. Size and dimensions are checked from the header before any
/// pixel is decoded, so a small file claiming a huge image (decompression bomb) never allocates.
/// </summary>
public sealed class FrameDecoder(FrameLimits limits)
{
    private static ReadOnlySpan<byte> PngSignature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    public FrameLimits Limits { get; } = limits ?? throw new ArgumentNullException(nameof(limits));

    /// <summary>Decodes or throws <see cref="FrameDecodeException"/>; the caller owns (disposes) the Mat.</summary>
    public Mat Decode(ReadOnlySpan<byte> data) => Decode(data, ReadHeader(data), ImreadModes.Color);

    /// <summary>Decodes data whose header <see cref="ReadHeader"/> already checked (parsed once per frame).</summary>
    public Mat Decode(ReadOnlySpan<byte> data, FrameHeader header) => Decode(data, header, ImreadModes.Color);

    /// <summary>
    /// The image in grey at 1/8 of its size (one pixel per 8x8 block): libjpeg decodes it from the block averages
    /// alone, a small fraction of a full decode, which is enough to tell whether a scene changed.
    /// </summary>
    public Mat DecodeThumbnail(ReadOnlySpan<byte> data, FrameHeader header) => Decode(data, header, ImreadModes.ReducedGrayscale8);

    private Mat Decode(ReadOnlySpan<byte> data, FrameHeader header, ImreadModes mode)
    {
        if (!header.IsChecked)
        {
            ReadHeader(data);
        }
        Mat mat;
        try
        {
            mat = Cv2.ImDecode(data, mode);
        }
        catch (OpenCVException e)
        {
            throw new FrameDecodeException(FrameDecodeException.Corrupt, "image data is corrupt: " + e.Message, e);
        }
        if (mat.Empty())
        {
            mat.Dispose();
            throw new FrameDecodeException(FrameDecodeException.Corrupt, "image data could not be decoded");
        }
        return mat;
    }

    /// <summary>
    /// Width and height from the JPEG SOF or PNG IHDR header, after the format, byte size, dimension and
    /// completeness checks (in that order).
    /// </summary>
    public FrameHeader ReadHeader(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            throw new FrameDecodeException(FrameDecodeException.Empty, "no image data");
        }
        if (data.Length > Limits.MaxBytes)
        {
            throw new FrameDecodeException(FrameDecodeException.TooLarge, $"image is {data.Length} bytes; the limit is {Limits.MaxBytes}");
        }
        if (data.Length >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF)
        {
            return ReadJpeg(data);
        }
        if (data.Length >= PngSignature.Length && data[..PngSignature.Length].SequenceEqual(PngSignature))
        {
            return ReadPng(data);
        }
        throw new FrameDecodeException(FrameDecodeException.NotAnImage, "data is neither JPEG nor PNG");
    }

    private FrameHeader ReadPng(ReadOnlySpan<byte> data)
    {
        // 8 signature + 4 length + "IHDR" + 4 width + 4 height.
        if (data.Length < 24)
        {
            throw new FrameDecodeException(FrameDecodeException.Truncated, "PNG ends inside its header");
        }
        if (!data.Slice(12, 4).SequenceEqual("IHDR"u8))
        {
            throw new FrameDecodeException(FrameDecodeException.Corrupt, "PNG does not start with an IHDR chunk");
        }
        var width = BinaryPrimitives.ReadUInt32BigEndian(data.Slice(16, 4));
        var height = BinaryPrimitives.ReadUInt32BigEndian(data.Slice(20, 4));
        CheckDimensions(width, height);
        // A complete PNG ends with the IEND chunk (name + CRC in the last 8 bytes).
        if (data.Length < 36 || !data[^8..^4].SequenceEqual("IEND"u8))
        {
            throw new FrameDecodeException(FrameDecodeException.Truncated, "PNG has no IEND chunk at its end");
        }
        return new FrameHeader((int)width, (int)height); // within MaxSide after the check
    }

    private FrameHeader ReadJpeg(ReadOnlySpan<byte> data)
    {
        var i = 2;
        while (true)
        {
            if (i + 4 > data.Length)
            {
                throw new FrameDecodeException(FrameDecodeException.Truncated, "JPEG ends before its frame header");
            }
            if (data[i] != 0xFF)
            {
                throw new FrameDecodeException(FrameDecodeException.Corrupt, $"JPEG marker expected at byte {i}");
            }
            var marker = data[i + 1];
            if (marker == 0xFF)
            {
                i++; // fill byte
                continue;
            }
            if (marker is 0x01 or (>= 0xD0 and <= 0xD7))
            {
                i += 2;
                continue;
            }
            if (marker is 0xD9 or 0xDA)
            {
                throw new FrameDecodeException(FrameDecodeException.Corrupt, "JPEG has no frame header before its scan");
            }
            var length = BinaryPrimitives.ReadUInt16BigEndian(data.Slice(i + 2, 2));
            if (length < 2)
            {
                throw new FrameDecodeException(FrameDecodeException.Corrupt, "JPEG segment length is invalid");
            }
            // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size.
            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
            {
                if (i + 9 > data.Length)
                {
                    throw new FrameDecodeException(FrameDecodeException.Truncated, "JPEG ends inside its frame header");
                }
                var height = BinaryPrimitives.ReadUInt16BigEndian(data.Slice(i + 5, 2));
                var width = BinaryPrimitives.ReadUInt16BigEndian(data.Slice(i + 7, 2));
                CheckDimensions(width, height);
                CheckJpegEnd(data);
                return new FrameHeader(width, height);
            }
            i += 2 + length;
        }
    }

    // libjpeg fills a cut-off scan with grey and reports success, so completeness is checked here: a whole JPEG
    // ends with the EOI marker (some encoders pad with zeros after it).
    private static void CheckJpegEnd(ReadOnlySpan<byte> data)
    {
        var end = data.TrimEnd((byte)0);
        if (end.Length < 4 || end[^2] != 0xFF || end[^1] != 0xD9)
        {
            throw new FrameDecodeException(FrameDecodeException.Truncated, "JPEG has no end-of-image marker (cut off)");
        }
    }

    private void CheckDimensions(uint width, uint height)
    {
        if (width == 0 || height == 0)
        {
            throw new FrameDecodeException(FrameDecodeException.Corrupt, $"image header claims {width}x{height}");
        }
        if (width > Limits.MaxSide || height > Limits.MaxSide || (long)width * height > Limits.MaxPixels)
        {
            throw new FrameDecodeException(FrameDecodeException.DimensionsTooLarge,
                $"image header claims {width}x{height}; the limit is {Limits.MaxSide} px a side and {Limits.MaxPixels} pixels");
        }
    }
}

/// <summary>An image's size from its header, made only by <see cref="FrameDecoder.ReadHeader"/> after its checks.</summary>
public readonly struct FrameHeader
{
    internal FrameHeader(int width, int height) => (Width, Height) = (width, height);

    public int Width { get; }

    public int Height { get; }

    /// <summary>False for <c>default</c>: a header nobody read, which decoding reads first.</summary>
    internal bool IsChecked => Width > 0;

    public void Deconstruct(out int width, out int height) => (width, height) = (Width, Height);
}
