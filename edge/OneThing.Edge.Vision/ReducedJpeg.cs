using OpenCvSharp;

namespace OneThing.Edge.Vision;

/// <summary>
/// A smaller JPEG copy of an image (footage frames, the officer app's evidence thumbnails): scaled so its longer side
/// is at most the given size. A JPEG is decoded straight at 1/2, 1/4 or 1/8 of its size (libjpeg scales in the DCT)
/// when that still covers the size: a 1280x720 frame kept at 640 is never decoded at full size.
/// </summary>
public static class ReducedJpeg
{
    /// <summary>Reads the image's size from its header (what is reduced passed its own limits already).</summary>
    private static readonly FrameDecoder Decoder = new(new FrameLimits());

    /// <summary>The copy of <paramref name="image"/> (JPEG or PNG); <see cref="InvalidDataException"/> when it does not decode.</summary>
    public static byte[] Of(ReadOnlyMemory<byte> image, int maxSide, int jpegQuality)
    {
        using var mat = Cv2.ImDecode(image.Span, DecodeMode(image.Span, maxSide));
        if (mat.Empty())
        {
            throw new InvalidDataException("image cannot be decoded");
        }
        var scale = Math.Min(1.0, (double)maxSide / Math.Max(mat.Width, mat.Height));
        using var small = new Mat();
        if (scale < 1)
        {
            Cv2.Resize(mat, small, new Size(Math.Max(1, (int)Math.Round(mat.Width * scale)), Math.Max(1, (int)Math.Round(mat.Height * scale))), interpolation: InterpolationFlags.Area);
        }
        return (scale < 1 ? small : mat).ImEncode(".jpg", new ImageEncodingParam(ImwriteFlags.JpegQuality, jpegQuality));
    }

    /// <summary>The largest JPEG decode reduction whose image still has a longer side of at least <paramref name="maxSide"/>.</summary>
    private static ImreadModes DecodeMode(ReadOnlySpan<byte> image, int maxSide)
    {
        int longer;
        try
        {
            var (width, height) = Decoder.ReadHeader(image);
            longer = Math.Max(width, height);
        }
        catch (FrameDecodeException)
        {
            return ImreadModes.Color; // let the decoder give its own verdict
        }
        var jpeg = image.Length > 1 && image[0] == 0xFF && image[1] == 0xD8;
        return !jpeg ? ImreadModes.Color
            : longer / 8 >= maxSide ? ImreadModes.ReducedColor8
            : longer / 4 >= maxSide ? ImreadModes.ReducedColor4
            : longer / 2 >= maxSide ? ImreadModes.ReducedColor2
            : ImreadModes.Color;
    }
}
