using OneThing.Edge.TestKit;
using OpenCvSharp;

namespace OneThing.Edge.Vision.Tests;

/// <summary>JPEGs as phones write them: trailers after the end marker, EXIF orientation; made here, then spliced.</summary>
public sealed class PhonePhotoTests
{
    private readonly FrameDecoder _decoder = new(new FrameLimits());

    private static byte[] Encode(Mat image)
    {
        Cv2.ImEncode(".jpg", image, out var bytes, new ImageEncodingParam(ImwriteFlags.JpegQuality, 95));
        return bytes;
    }

    private static byte[] Scene(int width = 320, int height = 240)
    {
        using var image = new Mat(height, width, MatType.CV_8UC3, new Scalar(40, 90, 160));
        Cv2.Circle(image, new Point(width / 2, height / 2), height / 3, Scalar.White, -1);
        return Encode(image);
    }

    [Fact]
    public void A_trailer_after_the_end_marker_is_ignored_and_the_pixels_are_the_same()
    {
        var jpeg = Scene();
        // Samsung-style: a block of metadata that contains another little JPEG (with its own end marker).
        byte[] trailer = [.. "SEFH"u8, 0xFF, 0xD8, 0xFF, 0xD9, .. new byte[300].Select((_, i) => (byte)i), .. "SEFT"u8];
        using var plain = _decoder.Decode(jpeg);
        using var trailed = _decoder.Decode([.. jpeg, .. trailer]);
        Assert.Equal((plain.Width, plain.Height), (trailed.Width, trailed.Height));
        Assert.Equal(0, Cv2.Norm(plain, trailed, NormTypes.L1));
        Assert.Equal(jpeg.Length, _decoder.ReadHeader([.. jpeg, .. trailer]).Length);
    }

    [Fact]
    public void A_jpeg_cut_in_half_is_still_truncated_and_so_is_one_with_a_trailer_cut_off_before_its_end()
    {
        var jpeg = Scene(640, 480);
        var e = Assert.Throws<FrameDecodeException>(() => _decoder.Decode(jpeg.AsSpan(0, jpeg.Length / 2)));
        Assert.Equal("truncated", e.Code);
        // Half the image followed by bytes that end in an end marker (a trailer's, not the image's) is still cut off:
        // the walk looks for the marker that ends the scan, and 0xFF 0x00 inside scan data is not one.
        byte[] fake = [.. jpeg.AsSpan(0, jpeg.Length / 2), 0xFF, 0x00, 0x12];
        Assert.Equal("truncated", Assert.Throws<FrameDecodeException>(() => _decoder.Decode(fake)).Code);
        Assert.Equal("truncated", Assert.Throws<FrameDecodeException>(() => _decoder.DecodeUpright(PhonePhotos.WithOrientation(jpeg, 6).AsSpan(0, jpeg.Length / 2))).Code);
    }

    // Where the stored image's top-left (red) and top-right (green) corners must end up once turned upright.
    [Theory]
    [InlineData(1, "TL", "TR", false)]
    [InlineData(2, "TR", "TL", false)]
    [InlineData(3, "BR", "BL", false)]
    [InlineData(4, "BL", "BR", false)]
    [InlineData(5, "TL", "BL", true)]
    [InlineData(6, "TR", "BR", true)]
    [InlineData(7, "BR", "TR", true)]
    [InlineData(8, "BL", "TL", true)]
    public void Each_exif_orientation_turns_the_photo_upright(int orientation, string red, string green, bool swapsSides)
    {
        const int W = 320, H = 192, S = 32;
        using var stored = new Mat(H, W, MatType.CV_8UC3, new Scalar(128, 128, 128));
        stored[new Rect(0, 0, S, S)].SetTo(new Scalar(0, 0, 255));
        stored[new Rect(W - S, 0, S, S)].SetTo(new Scalar(0, 255, 0));
        var jpeg = PhonePhotos.WithOrientation(Encode(stored), orientation);

        Assert.Equal(orientation, _decoder.ReadHeader(jpeg).Orientation);
        using var upright = _decoder.DecodeUpright(jpeg);
        Assert.Equal(swapsSides ? (H, W) : (W, H), (upright.Width, upright.Height));
        Assert.Equal("red", ColourAt(upright, red, S));
        Assert.Equal("green", ColourAt(upright, green, S));

        // Camera frames keep the stored orientation, whatever the tag says.
        using var frame = _decoder.Decode(jpeg);
        Assert.Equal((W, H), (frame.Width, frame.Height));
        Assert.Equal("red", ColourAt(frame, "TL", S));
    }

    [Fact]
    public void A_photo_without_exif_or_with_a_broken_exif_segment_decodes_as_stored()
    {
        var jpeg = Scene();
        Assert.Equal(1, _decoder.ReadHeader(jpeg).Orientation);
        var broken = PhonePhotos.WithOrientation(jpeg, 6);
        broken[6 + 6 + 4] = 0xEE; // IFD0 offset far past the segment
        using var mat = _decoder.DecodeUpright(broken);
        Assert.Equal((320, 240), (mat.Width, mat.Height));
    }

    private static string ColourAt(Mat image, string corner, int size)
    {
        var x = corner[1] == 'L' ? size / 2 : image.Width - (size / 2);
        var y = corner[0] == 'T' ? size / 2 : image.Height - (size / 2);
        var p = image.At<Vec3b>(y, x);
        return p.Item2 > 200 && p.Item1 < 60 ? "red" : p.Item1 > 200 && p.Item2 < 60 ? "green" : $"({p.Item0},{p.Item1},{p.Item2})";
    }
}
