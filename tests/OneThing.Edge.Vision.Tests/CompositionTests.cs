using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OneThing.Edge.Domain.Detections;
using OneThing.Edge.Domain.Geometry;
using OneThing.Edge.Domain.Reports;
using OneThing.Edge.TestKit;
using OpenCvSharp;

namespace OneThing.Edge.Vision.Tests;

public sealed class CompositionTests
{
    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddVision(configuration).BuildServiceProvider();
    }

    [Fact]
    public void AddVision_binds_the_models_folder_and_vision_section_and_resolves_the_facade()
    {
        using var sp = Build(new()
        {
            ["OneThing:Models:Directory"] = TestPaths.Models,
            ["OneThing:Vision:Vehicle:ScoreThreshold"] = "0.5",
            ["OneThing:Vision:Vehicle:VehicleClasses:0"] = "car",
            ["OneThing:Vision:Color:Model"] = "",
        });
        var options = sp.GetRequiredService<IOptions<VisionOptions>>().Value;
        Assert.Equal(TestPaths.Models, options.ModelsDirectory);
        Assert.Equal(["car"], options.Vehicle.EffectiveVehicleClasses);
        Assert.False(options.Color.Enabled);
        var vision = sp.GetRequiredService<VehicleVision>();
        Assert.Same(vision, sp.GetRequiredService<VehicleVision>());
        using var frame = sp.GetRequiredService<FrameDecoder>().Decode(File.ReadAllBytes(TestPaths.Sample("plates", "we_single_green.png")));
        var vehicles = vision.DetectVehicles(frame);
        Assert.All(vehicles, v => Assert.Equal("car", v.Label)); // the bus box is gone with the class map
        Assert.All(vehicles, v => Assert.True(v.Score >= 0.5f));
        Assert.Null(vision.ReadPlates(frame)[0].Color);
    }

    [Fact]
    public void AddVision_provides_the_photo_check_that_officers_reports_need()
    {
        using var sp = Build(new() { ["OneThing:Models:Directory"] = TestPaths.Models });
        var probe = Assert.IsType<PhotoProbe>(sp.GetRequiredService<IImageProbe>());
        var png = File.ReadAllBytes(TestPaths.Sample("plates", "we_single_green.png"));
        Assert.Null(probe.Problem(png, 8192));
        Assert.NotNull(probe.Problem("not an image"u8, 8192));
    }

    [Fact]
    public void A_missing_model_file_fails_validation_naming_the_key_and_the_file()
    {
        var dir = TestPaths.NewTempDirectory();
        File.WriteAllText(Path.Combine(dir, "coco80_labels.txt"), "car\n");
        using var sp = Build(new() { ["OneThing:Models:Directory"] = dir });
        var e = Assert.Throws<OptionsValidationException>(() => sp.GetRequiredService<IOptions<VisionOptions>>().Value);
        Assert.Contains($"OneThing:Models:Directory: yolox_nano_416.onnx not found in {dir}", e.Message, StringComparison.Ordinal);
        Assert.Contains("ppocrv4_rec.onnx not found", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_thresholds_and_decoder_are_reported_by_key()
    {
        var errors = VisionOptionsValidator.Check(new VisionOptions
        {
            ModelsDirectory = TestPaths.Models,
            Vehicle = new VehicleDetectorOptions { ScoreThreshold = 1.5f, Decoder = "ssd", Strides = [8, 16, 30] },
        });
        Assert.Contains(errors, e => e.StartsWith("OneThing:Vision:Vehicle:ScoreThreshold:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("OneThing:Vision:Vehicle:Decoder:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("OneThing:Vision:Vehicle:Strides: 30", StringComparison.Ordinal));
        Assert.Empty(VisionOptionsValidator.Check(new VisionOptions { ModelsDirectory = TestPaths.Models }));
    }

    [Fact]
    public void A_missing_models_folder_is_reported()
    {
        var errors = VisionOptionsValidator.Check(new VisionOptions { ModelsDirectory = "/nonexistent/models" });
        Assert.Equal(["OneThing:Models:Directory: folder /nonexistent/models does not exist (run models/fetch.sh)"], errors);
    }
}

public sealed class AnnotatorTests
{
    [Fact]
    public void Render_draws_on_a_copy_and_returns_a_jpeg_of_the_frame_size()
    {
        using var frame = new Mat(360, 640, MatType.CV_8UC3, Scalar.All(128));
        var overlay = new FrameOverlay("cam-07", new DateTimeOffset(2026, 11, 23, 8, 30, 5, 123, TimeSpan.Zero),
            [new LaneOverlay("east", [new PointF(0.1f, 0.5f), new PointF(0.9f, 0.5f), new PointF(0.9f, 0.95f), new PointF(0.1f, 0.95f)])],
            [new VehicleDetection(new Box(200, 100, 400, 300), 0.91f, "car")],
            [new PlateReading("沪BRF210", 0.99f, true, new Box(260, 250, 340, 275),
                [new PointF(260, 250), new PointF(340, 250), new PointF(340, 275), new PointF(260, 275)], 0.86f, false, "blue")]);

        var jpeg = new Annotator().Render(frame, overlay);

        Assert.Equal(128, frame.At<Vec3b>(180, 64).Item0); // the lane edge pixel of the original is untouched
        using var drawn = Cv2.ImDecode(jpeg, ImreadModes.Color);
        Assert.Equal((640, 360), (drawn.Width, drawn.Height));
        var lane = drawn.At<Vec3b>(180, 320); // on the lane's top edge (y = 0.5)
        Assert.True(lane.Item2 > 180 && lane.Item0 < 90, $"lane edge is red, got {lane.Item0},{lane.Item1},{lane.Item2}");
        var box = drawn.At<Vec3b>(200, 200); // on the vehicle box's left edge
        Assert.True(box.Item1 > 150 && box.Item2 < 90, $"vehicle box is green, got {box.Item0},{box.Item1},{box.Item2}");
        using var stamp = new Mat(drawn, new Rect(8, 12, 250, 10)); // the stamp band at the top-left
        using var stampGray = stamp.CvtColor(ColorConversionCodes.BGR2GRAY);
        stampGray.MinMaxLoc(out double darkest, out double brightest);
        Assert.True(darkest < 40 && brightest > 215, "white text on a black band, not the grey frame");
    }

    [Fact]
    public void Plate_text_is_transliterated_for_the_hershey_font()
    {
        Assert.Equal("HU-BRF210", Annotator.ToAscii("沪BRF210"));
        Assert.Equal("E-F8888JING-", Annotator.ToAscii("鄂F8888警"));
        Assert.Equal("?A1", Annotator.ToAscii("ΩA1"));
    }

    [Fact]
    public void Plate_close_up_is_the_plate_grown_by_half_its_size_inside_the_frame()
    {
        using var frame = new Mat(360, 640, MatType.CV_8UC3, Scalar.All(50));
        Assert.Equal(new Rect(50, 85, 200, 60), Annotator.CloseUpRegion(frame, new Box(100, 100, 200, 130)));
        Assert.Equal(new Rect(580, 330, 60, 30), Annotator.CloseUpRegion(frame, new Box(600, 340, 640, 360)));
        Assert.Throws<ArgumentException>(() => Annotator.CloseUpRegion(frame, new Box(700, 400, 720, 420)));
    }
}

public sealed class PlateRectifierTests
{
    [Fact]
    public void Rectify_warps_a_tilted_quad_to_an_upright_rectangle()
    {
        using var frame = new Mat(200, 300, MatType.CV_8UC3, Scalar.All(0));
        Point[] quad = [new(60, 80), new(220, 60), new(230, 120), new(70, 140)];
        Cv2.FillConvexPoly(frame, quad, Scalar.All(255));
        using var plate = PlateRectifier.Rectify(frame, [.. quad.Select(p => new PointF(p.X, p.Y))]);
        Assert.InRange(plate.Width, 160, 162);
        Assert.InRange(plate.Height, 60, 61);
        using var gray = plate.CvtColor(ColorConversionCodes.BGR2GRAY);
        Assert.True(Cv2.Mean(gray).Val0 > 230, "the warped plate is the white quad, edge to edge");
    }

    [Fact]
    public void Shear_slants_an_upright_stroke_without_cutting_the_edges()
    {
        using var plate = new Mat(20, 60, MatType.CV_8UC3, Scalar.All(0));
        Cv2.Rectangle(plate, new Rect(30, 0, 2, 20), Scalar.All(255), -1);
        using var sheared = PlateRectifier.Shear(plate, 0.4f);
        Assert.Equal((60 + 2 * 4, 20), (sheared.Width, sheared.Height));
        using var gray = sheared.CvtColor(ColorConversionCodes.BGR2GRAY);
        int StrokeAt(int row) => Enumerable.Range(0, gray.Width).MaxBy(x => gray.At<byte>(row, x));
        // 0.4 columns per row about the middle row: the top row 4 columns left, the bottom row ~4 right, of 30 + 4.
        Assert.InRange(StrokeAt(0), 29, 31);
        Assert.InRange(StrokeAt(19), 37, 39);
    }
}

public sealed class DetectCommandTests
{
    private static VisionOptions Options() => new() { ModelsDirectory = TestPaths.Models };

    [Fact]
    public async Task Detect_prints_vehicles_and_the_plate_and_writes_the_annotated_image()
    {
        var outPath = Path.Combine(TestPaths.NewTempDirectory(), "annotated.jpg");
        using var output = new StringWriter();
        var code = await DetectCommand.RunAsync([TestPaths.Sample("scenes", "hyperlpr_test_img.jpg")], outPath, null, Options(), output, CancellationToken.None);
        var text = output.ToString();
        Assert.Equal(0, code);
        Assert.Contains("1920x1080", text, StringComparison.Ordinal);
        Assert.Contains("vehicle car        0.91", text, StringComparison.Ordinal);
        Assert.Contains("plate 苏ED51712 conf=", text, StringComparison.Ordinal);
        using var annotated = Cv2.ImRead(outPath);
        Assert.Equal((1920, 1080), (annotated.Width, annotated.Height));
    }

    [Fact]
    public async Task Detect_reports_a_bad_image_with_its_code()
    {
        var path = Path.Combine(TestPaths.NewTempDirectory(), "broken.jpg");
        await File.WriteAllBytesAsync(path, "not an image at all"u8.ToArray());
        using var output = new StringWriter();
        Assert.Equal(DetectCommand.BadImage, await DetectCommand.RunAsync([path], null, null, Options(), output, CancellationToken.None));
        Assert.Contains("not-an-image", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Detect_refuses_a_bad_configuration_naming_the_key()
    {
        using var output = new StringWriter();
        var code = await DetectCommand.RunAsync([TestPaths.Sample("scenes", "hyperlpr_test_img.jpg")], null, null,
            new VisionOptions { ModelsDirectory = "/nonexistent" }, output, CancellationToken.None);
        Assert.Equal(DetectCommand.BadConfiguration, code);
        Assert.Contains("OneThing:Models:Directory", output.ToString(), StringComparison.Ordinal);
    }
}
