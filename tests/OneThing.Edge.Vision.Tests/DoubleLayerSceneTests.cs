using OneThing.Edge.TestKit;
using OpenCvSharp;
using Xunit.Abstractions;

namespace OneThing.Edge.Vision.Tests;

/// <summary>
/// Yellow double-layer plates painted from the sample crops onto the minibus of <c>plates/we_double_yellow.jpg</c>
/// (over its own plate, 73 x 42 px), then found and read as the gateway does: plate detector, colour, layout, two
/// lines read apart, format.
/// </summary>
[Collection(VisionCollection.Name)]
public sealed class DoubleLayerSceneTests(VisionFixture fx, ITestOutputHelper log)
{
    // The minibus plate's corners (TL, TR, BR, BL) as the plate detector gives them on the unchanged frame.
    private static readonly Point2f[] PlateCorners = [new(211.9f, 228.9f), new(285.1f, 229.0f), new(285.6f, 270.9f), new(212.1f, 270.2f)];

    [Theory]
    [InlineData("苏A8DC31")]
    [InlineData("沪AMS087")] // the detector boxes the serial alone (single, 72 x 21): read with the line above
    [InlineData("皖A295E1")] // the same
    [InlineData("苏A0X3B2")] // the upper line reads "防A": its first character is the province
    [InlineData("浙G0699P")] // "通6" above: province and letter
    public async Task Detect_reads_a_painted_double_layer_plate_on_the_minibus(string plate)
    {
        var file = Path.Combine(TestPaths.NewTempDirectory("double-layer"), plate + ".png");
        using (var frame = Scene(plate))
        {
            Cv2.ImWrite(file, frame);
        }
        using var output = new StringWriter();
        var code = await DetectCommand.RunAsync([file], null, null, new VisionOptions { ModelsDirectory = TestPaths.Models }, output, CancellationToken.None);
        log.WriteLine(output.ToString());
        Assert.Equal(DetectCommand.Ok, code);
        Assert.Contains($"plate {plate} conf=", output.ToString(), StringComparison.Ordinal);
        Assert.Contains(" double-layer yellow ", output.ToString(), StringComparison.Ordinal);
        Assert.Contains($"  reading: {plate}", output.ToString(), StringComparison.Ordinal);
    }

    /// <summary>All 41 crops painted: the count is docs/BENCHMARKS.md's (18 on 2026-12-02, 6 before the upper-line rule and the serial-alone retry).</summary>
    [Fact]
    public void Painted_double_layer_plates_on_the_minibus_are_read_at_least_as_often_as_benchmarked()
    {
        var files = Directory.GetFiles(TestPaths.Sample("plate_crops"), "*.jpg");
        var exact = 0;
        foreach (var plate in files.Select(Path.GetFileNameWithoutExtension).OfType<string>())
        {
            using var frame = Scene(plate);
            var read = fx.Vision.Analyze(frame).AllPlates.Where(p => p.IsValid).Select(p => $"{p.Text}/{p.Color}/{(p.DoubleLayer ? "double" : "single")}").ToList();
            exact += read.Contains($"{plate}/yellow/double") ? 1 : 0;
            log.WriteLine($"{plate}: [{string.Join(", ", read)}]");
        }
        log.WriteLine($"double-layer plates painted on the minibus read exactly: {exact}/{files.Length}");
        Assert.True(exact >= 18, $"{exact}/{files.Length}");
    }

    private Mat Scene(string plate)
    {
        var frame = fx.Load("plates", "we_double_yellow.jpg");
        using var crop = fx.Load("plate_crops", plate + ".jpg");
        using var painted = PaintDoubleLayer(crop);
        Point2f[] from = [new(0, 0), new(painted.Width, 0), new(painted.Width, painted.Height), new(0, painted.Height)];
        using var transform = Cv2.GetPerspectiveTransform(from, PlateCorners);
        using var warped = new Mat();
        using var mask = new Mat();
        using var whole = new Mat(painted.Size(), MatType.CV_8UC1, Scalar.All(255));
        Cv2.WarpPerspective(painted, warped, transform, frame.Size(), InterpolationFlags.Linear);
        Cv2.WarpPerspective(whole, mask, transform, frame.Size(), InterpolationFlags.Nearest);
        warped.CopyTo(frame, mask);
        return frame;
    }

    // A GA 36 yellow double-layer plate (2 : 1) painted from a one-line blue crop: the crop's characters (its bright
    // pixels, a soft edge around Otsu's threshold) in black on yellow, province and letter centred above, the serial
    // below, and a dark rim.
    private static Mat PaintDoubleLayer(Mat crop)
    {
        using var gray = new Mat();
        Cv2.CvtColor(crop, gray, ColorConversionCodes.BGR2GRAY);
        using var binary = new Mat();
        var threshold = Cv2.Threshold(gray, binary, 0, 255, ThresholdTypes.Binary | ThresholdTypes.Otsu);
        using var ink = new Mat();
        gray.ConvertTo(ink, MatType.CV_32FC1, 1 / 40.0, -(threshold - 20) / 40.0);
        Cv2.Min(ink, 1.0, ink);
        Cv2.Max(ink, 0.0, ink);
        var split = (int)(crop.Width * 0.29);
        var plate = new Mat(110, 220, MatType.CV_8UC3, new Scalar(0, 190, 235));
        Paint(plate, ink, new Rect(0, 0, split, crop.Height), new Rect(66, 6, 88, 34));
        Paint(plate, ink, new Rect(split, 0, crop.Width - split, crop.Height), new Rect(8, 44, 204, 60));
        Cv2.Rectangle(plate, new Rect(3, 3, plate.Width - 6, plate.Height - 6), Scalar.All(25), 2);
        return plate;
    }

    // plate = plate * (1 - ink) + 25 * ink over the target rectangle.
    private static void Paint(Mat plate, Mat ink, Rect from, Rect to)
    {
        using var part = new Mat(ink, from);
        using var scaled = new Mat();
        Cv2.Resize(part, scaled, to.Size, 0, 0, InterpolationFlags.Linear);
        using var alpha = new Mat();
        Cv2.Merge([scaled, scaled, scaled], alpha);
        using var target = new Mat(plate, to);
        using var background = new Mat();
        target.ConvertTo(background, MatType.CV_32FC3);
        using var covered = background.Mul(alpha).ToMat();
        using var blended = new Mat();
        Cv2.Subtract(background, covered, blended);
        Cv2.ScaleAdd(alpha, 25.0, blended, blended);
        blended.ConvertTo(target, MatType.CV_8UC3);
    }
}
