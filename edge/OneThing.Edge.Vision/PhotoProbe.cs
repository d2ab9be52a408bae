using OneThing.Edge.Domain.Reports;

namespace OneThing.Edge.Vision;

/// <summary>An officer's photo must decode like a camera frame, within the photo size limit.</summary>
public sealed class PhotoProbe(FrameDecoder decoder) : IImageProbe
{
    public string? Problem(ReadOnlySpan<byte> data, int maxSide)
    {
        try
        {
            using var image = decoder.DecodeUpright(data, Header(data, maxSide));
            return null;
        }
        catch (FrameDecodeException e)
        {
            return e.Message;
        }
    }

    /// <summary>
    /// The photo's header, read and checked as a camera frame's and held to <paramref name="maxSide"/> px a side
    /// (Mqtt:MaxPhotoSide); else <see cref="FrameDecodeException"/>, code DimensionsTooLarge for a photo too large.
    /// </summary>
    public FrameHeader Header(ReadOnlySpan<byte> photo, int maxSide)
    {
        var header = decoder.ReadHeader(photo);
        if (header.Width > maxSide || header.Height > maxSide)
        {
            throw new FrameDecodeException(FrameDecodeException.DimensionsTooLarge,
                $"image is {header.Width}x{header.Height} px; at most {maxSide} px a side (Mqtt:MaxPhotoSide)");
        }
        return header;
    }
}
