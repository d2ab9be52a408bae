using OpenCvSharp;

namespace OneThing.Edge.Vision.Tests;

public sealed class ReducedJpegTests
{
    [Fact]
    public void An_image_is_copied_at_the_asked_size_from_a_reduced_decode()
    {
        using var scene = new Mat(720, 1280, MatType.CV_8UC3, new Scalar(40, 90, 160));
        Cv2.Rectangle(scene, new Rect(300, 300, 400, 200), Scalar.White, -1);
        Cv2.ImEncode(".jpg", scene, out var jpeg);

        using var kept = Cv2.ImDecode(ReducedJpeg.Of(jpeg, 640, 80), ImreadModes.Color);
        using var small = Cv2.ImDecode(ReducedJpeg.Of(jpeg, 200, 80), ImreadModes.Color);

        Assert.Equal(new Size(640, 360), kept.Size());
        Assert.Equal(new Size(200, 112), small.Size());
        Assert.InRange(kept.At<Vec3b>(200, 250).Item0, 245, 255); // the white box, where it was
        Assert.InRange(kept.At<Vec3b>(50, 50).Item2, 150, 170);
    }

    [Fact]
    public void Bytes_that_are_no_image_are_refused_as_invalid_data()
    {
        // What the footage worker counts as a frame it could not keep.
        Assert.Throws<InvalidDataException>(() => ReducedJpeg.Of("not an image"u8.ToArray(), 320, 80));
    }
}
