using OneThing.Edge.Domain.Reports;

namespace OneThing.Edge.Vision;

/// <summary>An officer's photo must decode like a camera frame, within the photo size limit.</summary>
public sealed class PhotoProbe(FrameDecoder decoder) : IImageProbe
{
    public string? Problem(ReadOnlySpan<byte> data, int maxSide)
    {
        try
        {
            var header = decoder.ReadHeader(data);
            if (header.Width > maxSide || header.Height > maxSide)
            {
                return $"image is {header.Width}x{header.Height} px; at most {maxSide} px a side";
            }
            using var image = decoder.DecodeUpright(data, header);
            return null;
        }
        catch (FrameDecodeException e)
        {
            return e.Code == FrameDecodeException.DimensionsTooLarge ? $"{e.Message} (px limit)" : e.Message;
        }
    }
}
