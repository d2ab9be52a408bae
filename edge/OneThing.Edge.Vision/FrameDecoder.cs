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

    // Camera frames keep the sensor's orientation even if tagged otherwise: lanes are drawn on the frame as sent, and
    // the header's size, the thumbnail and the full decode must agree (OpenCV would turn only what it decodes).
    private const ImreadModes FullColor = ImreadModes.Color | ImreadModes.IgnoreOrientation;

    /// <summary>Decodes or throws <see cref="FrameDecodeException"/>; the caller owns (disposes) the Mat.</summary>
    public Mat Decode(ReadOnlySpan<byte> data) => Decode(data, ReadHeader(data), FullColor);

    /// <summary>Decodes data whose header <see cref="ReadHeader"/> already checked (parsed once per frame).</summary>
    public Mat Decode(ReadOnlySpan<byte> data, FrameHeader header) => Decode(data, header, FullColor);

    /// <summary>
    /// A photo as the person who took it saw it: decoded, then turned by its EXIF orientation (officers' phones,
    /// <c>detect</c>). Only a JPEG with an APP1 segment has its orientation read, so camera frames pay nothing.
    /// </summary>
    public Mat DecodeUpright(ReadOnlySpan<byte> data) => DecodeUpright(data, ReadHeader(data));

    /// <summary><see cref="DecodeUpright(ReadOnlySpan{byte})"/> of data whose header <see cref="ReadHeader"/> already read.</summary>
    public Mat DecodeUpright(ReadOnlySpan<byte> data, FrameHeader header) =>
        ExifOrientation.Apply(Decode(data, header, FullColor), header.Orientation);

    /// <summary>
    /// The image in grey at 1/8 of its size (one pixel per 8x8 block): libjpeg decodes it from the block averages
    /// alone, a small fraction of a full decode, which is enough to tell whether a scene changed.
    /// </summary>
    public Mat DecodeThumbnail(ReadOnlySpan<byte> data, FrameHeader header) =>
        Decode(data, header, ImreadModes.ReducedGrayscale8 | ImreadModes.IgnoreOrientation);

    /// <summary>The size <see cref="DecodeThumbnail"/> gives a JPEG of this header (libjpeg rounds up).</summary>
    public static Size ThumbnailSize(FrameHeader header) => new((header.Width + 7) / 8, (header.Height + 7) / 8);

    /// <summary>
    /// The thumbnail of a frame already decoded at full size: grey, each pixel the mean of its 8x8 block, as
    /// <see cref="DecodeThumbnail"/> gives it from the JPEG's block averages (within a grey level or two), for
    /// frames the detector runs on anyway, so they are not decoded twice.
    /// </summary>
    public static Mat ThumbnailOf(Mat frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        using var grey = new Mat();
        Cv2.CvtColor(frame, grey, ColorConversionCodes.BGR2GRAY);
        var thumbnail = new Mat();
        Cv2.Resize(grey, thumbnail, new Size((frame.Width + 7) / 8, (frame.Height + 7) / 8), 0, 0, InterpolationFlags.Area);
        return thumbnail;
    }

    private Mat Decode(ReadOnlySpan<byte> data, FrameHeader header, ImreadModes mode)
    {
        if (!header.IsChecked)
        {
            header = ReadHeader(data);
        }
        Mat mat;
        try
        {
            // Without the trailer: what follows the image's end marker is not the decoder's business.
            mat = Cv2.ImDecode(data[..header.Length], mode);
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
    /// completeness checks (in that order): a JPEG's last scan must reach its end-of-image marker.
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
        return new FrameHeader((int)width, (int)height, data.Length, ExifOrientation.Upright); // within MaxSide after the check
    }

    private FrameHeader ReadJpeg(ReadOnlySpan<byte> data)
    {
        var layout = JpegStructure.Read(data, CheckDimensions);
        return new FrameHeader(layout.Width, layout.Height, layout.Length, layout.Orientation);
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
    internal FrameHeader(int width, int height, int length, int orientation) =>
        (Width, Height, Length, Orientation) = (width, height, length, orientation);

    /// <summary>As stored, before any <see cref="Orientation"/> is applied.</summary>
    public int Width { get; }

    public int Height { get; }

    /// <summary>Bytes up to and including the JPEG end-of-image marker; a trailer after it is not part of the image.</summary>
    public int Length { get; }

    /// <summary>EXIF orientation, 1 (as stored) to 8; 1 for PNG and for JPEGs without it.</summary>
    public int Orientation { get; }

    /// <summary>False for <c>default</c>: a header nobody read, which decoding reads first.</summary>
    internal bool IsChecked => Width > 0;

    public void Deconstruct(out int width, out int height) => (width, height) = (Width, Height);
}
