using OneThing.Edge.Domain.Reports;
using OpenCvSharp;

namespace OneThing.Edge.Host.Pipeline;

/// <summary>A photo is an image when OpenCV decodes it; its size is checked before the pixels are kept.</summary>
public sealed class OpenCvImageProbe : IImageProbe
{
    public string? Problem(ReadOnlySpan<byte> data, int maxSide)
    {
        if (data.IsEmpty)
        {
            return "empty image";
        }
        using var mat = Cv2.ImDecode(data, ImreadModes.Unchanged);
        if (mat.Empty())
        {
            return "not a decodable JPEG or PNG image";
        }
        return mat.Width > maxSide || mat.Height > maxSide ? $"image is {mat.Width}x{mat.Height} px; at most {maxSide} px a side" : null;
    }
}
