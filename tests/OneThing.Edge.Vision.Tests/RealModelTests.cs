using OneThing.Edge.Domain.Geometry;
using OneThing.Edge.TestKit;
using OpenCvSharp;
using Xunit.Abstractions;

namespace OneThing.Edge.Vision.Tests;

[Collection(VisionCollection.Name)]
public sealed class RealModelTests(VisionFixture fx, ITestOutputHelper log)
{
    [Theory]
    [InlineData("compound_4cars_xue1.jpg", 4, 4)]
    [InlineData("residential_street_xue8.jpg", 2, 2)]
    [InlineData("sidewalk_red_car_single_blue.png", 2, 2)]
    [InlineData("dealer_lot_bmw_quicker_180919.png", 1, 1)]
    [InlineData("hyperlpr_test_img.jpg", 4, 6)]
    [InlineData("coco_000000009769_pickup_snow.jpg", 2, 2)]
    [InlineData("coco_000000001532_highway.jpg", 5, 7)]
    public void Vehicle_count_per_scene_is_within_the_ground_truth_tolerance(string file, int min, int max)
    {
        using var frame = fx.Load("scenes", file);
        var vehicles = fx.Vision.DetectVehicles(frame);
        foreach (var v in vehicles)
        {
            log.WriteLine($"{v.Label} {v.Score:0.000} {v.Box}");
        }
        Assert.InRange(vehicles.Count, min, max);
        Assert.All(vehicles, v => Assert.Contains(v.Label, new[] { "car", "motorcycle", "bus", "truck" }));
        Assert.All(vehicles, v => Assert.True(v.Score >= 0.3f));
    }

    [Fact]
    public void White_sedan_box_matches_the_reference_harness()
    {
        using var frame = fx.Load("scenes", "hyperlpr_test_img.jpg");
        var best = fx.Vision.DetectVehicles(frame)[0];
        Assert.Equal("car", best.Label);
        Assert.InRange(best.Score, 0.88f, 0.95f);
        AssertNear(new Box(593, 335, 1887, 990), best.Box, 6);
    }

    [Fact]
    public void Compound_boxes_match_the_reference_harness()
    {
        using var frame = fx.Load("scenes", "compound_4cars_xue1.jpg");
        var boxes = fx.Vision.DetectVehicles(frame).Select(v => v.Box).ToList();
        Box[] expected = [new(2, 678, 458, 1030), new(1246, 679, 1439, 880), new(311, 611, 941, 1000), new(777, 619, 1370, 966)];
        foreach (var e in expected)
        {
            Assert.Contains(boxes, b => b.IoU(e) > 0.9f);
        }
    }

    [Theory]
    [InlineData("we_hongkang1.png")]
    [InlineData("we_police.png")]
    [InlineData("we_xue_student.png")]
    public void A_vehicle_labelled_car_and_truck_is_one_box(string file)
    {
        using var frame = fx.Load("plates", file);
        var vehicles = fx.Vision.DetectVehicles(frame);
        Assert.Single(vehicles);
        Assert.Equal("car", vehicles[0].Label);
    }

    [Fact]
    public void All_41_plate_crops_are_read_exactly()
    {
        var files = Directory.GetFiles(TestPaths.Sample("plate_crops"), "*.jpg");
        Assert.Equal(41, files.Length);
        var wrong = new List<string>();
        foreach (var file in files)
        {
            using var crop = fx.Decoder.Decode(File.ReadAllBytes(file));
            var reading = fx.Reader.Read(crop);
            var expected = Path.GetFileNameWithoutExtension(file);
            if (reading.Text != expected || !reading.IsValid)
            {
                wrong.Add($"{expected} read {reading.Text} (raw {reading.Raw})");
            }
        }
        Assert.Empty(wrong);
    }

    [Fact]
    public void All_11_ccpd_plates_are_read_exactly_by_the_full_pipeline()
    {
        var files = GroundTruth.Files("ccpd").ToList();
        Assert.Equal(11, files.Count);
        var wrong = new List<string>();
        foreach (var file in files)
        {
            using var frame = fx.Load(file.Split('/'));
            var analysis = fx.Vision.Analyze(frame);
            var texts = analysis.AllPlates.Where(p => p.IsValid).Select(p => p.Text).Distinct().ToList();
            var truth = GroundTruth.Plates(file);
            log.WriteLine($"{truth}: vehicles={analysis.Vehicles.Count} plates=[{string.Join(',', texts)}]");
            if (texts.Count != 1 || texts[0] != truth)
            {
                wrong.Add($"{truth} read [{string.Join(',', texts)}]");
            }
        }
        Assert.Empty(wrong);
    }

    [Theory]
    [InlineData("we_quicker_180856.png", "川A8H458")]
    // The second car's province (ground_truth.csv: low-res, probably 闽) is read twice, from two vehicle boxes of that
    // car: as 皖 (as the reference harness does) and, that reading uncertain and read again sheared, as 闽.
    [InlineData("we_quicker_181044.png", "粤B6R678", "皖DG065G", "闽DG065G")]
    [InlineData("we_double_yellow.jpg", "京EA5331")]
    [InlineData("we_police.png", "鄂F8888警")]
    [InlineData("we_single_green.png", "沪AF71017")]
    [InlineData("we_xue_student.png", "琼A6716学")]
    [InlineData("we_hongkang1.png", "粤ZR066港")]
    [InlineData("xue_2.jpg", "陕K75555")]
    [InlineData("xue_3.jpg", "皖ACG982")]
    [InlineData("xue_5.jpg", "皖A53J96")]
    [InlineData("ccpd_rpnet_demo_0.jpg", "皖A195K9")]
    [InlineData("ccpd_rpnet_demo_2.jpg", "皖AT022C")]
    [InlineData("ccpd_rpnet_demo_3.jpg", "皖AMK620")]
    public void Close_up_plates_are_read_as_MODELS_md_reports(string file, params string[] plates)
    {
        using var frame = fx.Load("plates", file);
        var analysis = fx.Vision.Analyze(frame);
        var valid = analysis.AllPlates.Where(p => p.IsValid).Select(p => p.Text).Distinct().Order().ToList();
        log.WriteLine(string.Join(", ", analysis.AllPlates.Select(p => $"{p.Text}{(p.IsValid ? "" : "?")} {p.Color} {p.DoubleLayer}")));
        Assert.Equal(plates.Order(), valid);
    }

    [Fact]
    public void Double_layer_yellow_plate_is_classified_double_and_yellow()
    {
        using var frame = fx.Load("plates", "we_double_yellow.jpg");
        var plate = Assert.Single(fx.Vision.ReadPlates(frame));
        Assert.True(plate.DoubleLayer);
        Assert.Equal("yellow", plate.Color);
        Assert.Equal("京EA5331", plate.Text);
    }

    // Crops whose two lines the reader gets (34 of the 41 made double-layer were read exactly; the province of
    // 闽D33U29 was read as "2" and the format picked the province, with a probability the reader still gave it).
    [Theory]
    [InlineData("川JK0707")]
    [InlineData("沪AMS087")]
    [InlineData("皖ADA772")]
    [InlineData("闽D33U29")]
    public void A_yellow_double_layer_plate_made_from_a_sample_crop_is_read_line_by_line(string plate)
    {
        using var crop = fx.Load("plate_crops", plate + ".jpg");
        using var doubleLayer = DoubleLayerPlate(crop);
        var asOneLine = fx.Reader.Read(doubleLayer);
        var reading = fx.Reader.ReadPlate(doubleLayer, detectedDouble: false, fx.Colors.Classify(doubleLayer));
        log.WriteLine($"one line: {asOneLine.Text} ({asOneLine.Raw}); layout: {reading.Text} ({reading.Raw})");
        Assert.NotEqual(plate, asOneLine.Text); // read as one line, the upper line is lost
        Assert.Equal(plate, reading.Text);
        Assert.True(reading.IsValid);
        Assert.True(reading.DoubleLayer, "2 : 1 is double-layer although the caller's detector said single");
        Assert.Equal(7, reading.CharConfidences.Count);
    }

    [Fact]
    public async Task Detect_reads_the_double_layer_yellow_plate_line_by_line()
    {
        using var output = new StringWriter();
        var code = await DetectCommand.RunAsync([TestPaths.Sample("plates", "we_double_yellow.jpg")], null, null,
            new VisionOptions { ModelsDirectory = TestPaths.Models }, output, CancellationToken.None);
        log.WriteLine(output.ToString());
        Assert.Equal(DetectCommand.Ok, code);
        Assert.Contains("plate 京EA5331 conf=", output.ToString(), StringComparison.Ordinal);
        Assert.Contains(" double-layer yellow ", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("  reading: 京EA5331", output.ToString(), StringComparison.Ordinal);
    }

    /// <summary>
    /// Plate-crop accuracy (docs/BENCHMARKS.md): every crop in ONETHING_PLATE_CROPS (a folder of crops named by
    /// their plate, as the LPRNet test set is), else samples/plate_crops, read as one plate with its colour.
    /// </summary>
    [Fact]
    public void Plate_crop_accuracy_is_printed_and_at_least_99_5_percent()
    {
        var folder = Environment.GetEnvironmentVariable("ONETHING_PLATE_CROPS") is { Length: > 0 } f ? f : TestPaths.Sample("plate_crops");
        var files = Directory.GetFiles(folder, "*.jpg");
        Assert.NotEmpty(files);
        var wrong = new List<string>();
        foreach (var file in files)
        {
            using var crop = fx.Decoder.Decode(File.ReadAllBytes(file));
            var reading = fx.Reader.ReadPlate(crop, detectedDouble: false, fx.Colors.Classify(crop));
            var expected = Path.GetFileNameWithoutExtension(file);
            if (reading.Text != expected || !reading.IsValid)
            {
                wrong.Add($"{expected} read {reading.Text} (raw {reading.Raw})");
            }
        }
        var exact = files.Length - wrong.Count;
        log.WriteLine(string.Join(Environment.NewLine, wrong));
        log.WriteLine(FormattableString.Invariant($"plate-crop accuracy: {exact}/{files.Length} = {100.0 * exact / files.Length:0.0} % ({folder})"));
        Assert.True(exact >= 0.995 * files.Length, $"{exact}/{files.Length}: {string.Join("; ", wrong)}");
    }

    [Fact]
    public void Green_nev_plate_is_read_on_the_sedan_box()
    {
        using var frame = fx.Load("scenes", "hyperlpr_test_img.jpg");
        var sedan = fx.Vision.DetectVehicles(frame)[0];
        var plate = fx.Vision.ReadPlate(frame, sedan.Box);
        Assert.NotNull(plate);
        Assert.Equal("苏ED51712", plate.Text);
        Assert.Equal("green", plate.Color);
        Assert.Equal(4, plate.Corners.Count);
        Assert.InRange(plate.Box.X1, 1740, 1765);
    }

    [Fact]
    public void Known_miss_the_armed_police_plate_is_not_valid()
    {
        using var frame = fx.Load("plates", "we_wj_tmpA5E3.png");
        var plates = fx.Vision.Analyze(frame).AllPlates.ToList();
        Assert.DoesNotContain(plates, p => p.IsValid);
    }

    [Fact]
    public void Concurrent_callers_get_the_same_answers_as_one_caller()
    {
        string[] files = ["compound_4cars_xue1.jpg", "residential_street_xue8.jpg", "sidewalk_red_car_single_blue.png", "dealer_lot_bmw_quicker_180919.png"];
        var frames = files.Select(f => fx.Load("scenes", f)).ToArray();
        try
        {
            var sequential = frames.Select(f => Describe(fx.Vision.Analyze(f))).ToArray();
            var parallel = new string[frames.Length * 4];
            Parallel.For(0, parallel.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 },
                i => parallel[i] = Describe(fx.Vision.Analyze(frames[i % frames.Length])));
            for (var i = 0; i < parallel.Length; i++)
            {
                Assert.Equal(sequential[i % frames.Length], parallel[i]);
            }
        }
        finally
        {
            foreach (var f in frames)
            {
                f.Dispose();
            }
        }
    }

    [Fact]
    public void A_grey_or_empty_image_is_refused_with_an_argument_error_not_a_native_crash()
    {
        using var grey = new Mat(100, 100, MatType.CV_8UC1, Scalar.All(0));
        using var empty = new Mat();
        Assert.Throws<ArgumentException>(() => fx.Vision.DetectVehicles(grey));
        Assert.Throws<ArgumentException>(() => fx.Reader.Read(empty));
        Assert.Throws<ArgumentException>(() => fx.Plates.Detect(grey));
    }

    [Fact]
    public void A_blank_frame_has_no_vehicles_and_no_plates()
    {
        using var blank = new Mat(720, 1280, MatType.CV_8UC3, Scalar.All(90));
        var analysis = fx.Vision.Analyze(blank);
        Assert.Empty(analysis.Vehicles);
        Assert.Empty(analysis.UnattachedPlates);
    }

    // A GA 36 double-layer plate from a one-line crop: province and letter centred above, the serial below, on a
    // 2 : 1 plate with a rim; inverted, so the blue plate with white characters becomes a yellow one with black characters.
    internal static Mat DoubleLayerPlate(Mat crop)
    {
        var split = (int)(crop.Width * 0.29);
        using var head = new Mat(crop, new Rect(0, 0, split, crop.Height));
        using var serial = new Mat(crop, new Rect(split, 0, crop.Width - split, crop.Height));
        var background = crop.At<Vec3b>(1, crop.Width / 2);
        var plate = new Mat(110, 220, MatType.CV_8UC3, new Scalar(background.Item0, background.Item1, background.Item2));
        using (var upper = new Mat(plate, new Rect(66, 4, 88, 36)))
        {
            Cv2.Resize(head, upper, upper.Size());
        }
        using (var lower = new Mat(plate, new Rect(6, 42, 208, 64)))
        {
            Cv2.Resize(serial, lower, lower.Size());
        }
        Cv2.BitwiseNot(plate, plate);
        Cv2.Rectangle(plate, new Rect(0, 0, plate.Width, plate.Height), Scalar.All(20), 2); // the plate's rim
        return plate;
    }

    private static string Describe(FrameAnalysis a) =>
        string.Join(";", a.Vehicles.Select(v => $"{v.Vehicle.Box}/{v.Vehicle.Score}/{v.Plate?.Text}"));

    private static void AssertNear(Box expected, Box actual, float tolerance)
    {
        Assert.InRange(actual.X1, expected.X1 - tolerance, expected.X1 + tolerance);
        Assert.InRange(actual.Y1, expected.Y1 - tolerance, expected.Y1 + tolerance);
        Assert.InRange(actual.X2, expected.X2 - tolerance, expected.X2 + tolerance);
        Assert.InRange(actual.Y2, expected.Y2 - tolerance, expected.Y2 + tolerance);
    }
}
