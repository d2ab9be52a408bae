using OneThing.Edge.Domain.Geometry;
using OneThing.Edge.TestKit;
using OpenCvSharp;
using Xunit.Abstractions;

namespace OneThing.Edge.Vision.Tests;

public sealed class CaptionFontTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 2, 9, 5, 24, TimeSpan.Zero);

    [Fact]
    public void The_plates_province_character_is_drawn_from_the_font_not_as_the_missing_glyph_box()
    {
        using var font = CaptionFont.Load(new EvidenceOptions().FontPath);
        Assert.NotEqual(0, font.Glyph('苏'));
        Assert.Equal(0, font.Glyph('\uE000')); // a private-use character: the font has no glyph for it

        using var image = new Mat(200, 640, MatType.CV_8UC3, Scalar.All(128));
        using var province = font.WithCaption(image, ["苏"]);
        using var missing = font.WithCaption(image, ["\uE000"]);

        Assert.True(province.Height > image.Height, "the caption is a band below the picture");
        using (var top = new Mat(province, new Rect(0, 0, 640, 200)))
        using (var diff = new Mat())
        {
            Cv2.Absdiff(top, image, diff);
            Assert.Equal(0, Cv2.CountNonZero(diff.CvtColor(ColorConversionCodes.BGR2GRAY)));
        }
        var bandRect = new Rect(0, 200, 640, province.Height - 200);
        using var drawn = Ink(new Mat(province, bandRect));
        using var box = Ink(new Mat(missing, bandRect));
        var glyphPixels = Cv2.CountNonZero(drawn);
        Assert.True(glyphPixels > 40, $"the character left ink: {glyphPixels} pixels");
        using var xor = new Mat();
        Cv2.BitwiseXor(drawn, box, xor);
        Assert.True(Cv2.CountNonZero(xor) > glyphPixels / 3, "苏 is drawn as its own glyph, not as the box a font draws for a character it lacks");
    }

    [Fact]
    public void Caption_says_time_place_device_and_plate_in_Chinese_in_local_time()
    {
        var fields = new EvidenceCaption(At, "阳光花园 东门消防通道", "cam-gate", "苏ED51712").Fields(TimeSpan.FromHours(8));
        Assert.Equal(["时间：2026-12-02 17:05:24（UTC+8）", "地点：阳光花园 东门消防通道", "设备：cam-gate", "号牌：苏ED51712"], fields);
        Assert.Equal("号牌：未识别", new EvidenceCaption(At, "p", "d", null).Fields(TimeSpan.Zero)[3]);
    }

    [Fact]
    public void A_missing_or_unreadable_font_is_refused_naming_the_key_and_the_package()
    {
        var missing = CaptionFont.Problem("/nonexistent/wqy-zenhei.ttc");
        Assert.Equal("OneThing:Evidence:FontPath: /nonexistent/wqy-zenhei.ttc does not exist; install the Debian package fonts-wqy-zenhei "
            + "(apt-get install fonts-wqy-zenhei, font /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc) or set OneThing:Evidence:FontPath to a font with Chinese characters", missing);

        var notAFont = Path.Combine(TestPaths.NewTempDirectory("font"), "font.ttf");
        File.WriteAllText(notAFont, "not a font");
        Assert.StartsWith($"OneThing:Evidence:FontPath: {notAFont} is not a font SkiaSharp can read; install the Debian package fonts-wqy-zenhei", CaptionFont.Problem(notAFont));
        Assert.Throws<InvalidOperationException>(() => CaptionFont.Load(notAFont));
        Assert.Null(CaptionFont.Problem(new EvidenceOptions().FontPath));
    }

    /// <summary>Pixels the caption's white text lit (the band is black).</summary>
    private static Mat Ink(Mat band)
    {
        using (band)
        {
            using var gray = band.CvtColor(ColorConversionCodes.BGR2GRAY);
            return gray.Threshold(100, 255, ThresholdTypes.Binary);
        }
    }
}

[Collection(VisionCollection.Name)]
public sealed class EvidenceRedactorTests(VisionFixture fx, ITestOutputHelper log)
{
    [Fact]
    public void Other_cars_plates_are_pixelated_beyond_reading_and_the_cited_cars_plate_is_untouched()
    {
        using var scene = fx.Load("scenes", "compound_4cars_xue1.jpg");
        var cited = fx.Vision.Analyze(scene).Vehicles.Single(v => v.Plate?.Text == "沪BRF210");
        var plates = fx.Plates.Detect(scene);
        var others = plates.Where(p => p.Box.IoU(cited.Plate!.Box) < 0.5).ToList();
        Assert.True(others.Count >= 2, $"the scene shows other cars' plates: {others.Count}");

        using var redaction = new EvidenceRedactor(fx.Vehicles, fx.Plates).Redact(scene, cited.Vehicle.Box);

        Assert.Equal(0, Changed(scene, redaction.Image, cited.Plate!.Box));
        foreach (var plate in others)
        {
            var before = fx.Vision.Read(scene, plate).Text;
            var after = fx.Vision.Read(redaction.Image, plate).Text;
            log.WriteLine($"plate at {plate.Box}: {before} -> {after}, mean change {MeanChange(scene, redaction.Image, plate.Box):0.0}");
            Assert.NotEqual(before, after);
            Assert.True(MeanChange(scene, redaction.Image, plate.Box) > 5, "the plate region changed");
        }
        Assert.Equal(0, ChangedOutside(scene, redaction));
    }

    [Fact]
    public void People_are_pixelated()
    {
        using var street = fx.Load("scenes", "street_kiven.jpg");
        var people = fx.Vehicles.DetectPeople(street);
        Assert.True(people.Count >= 3, $"the street has pedestrians: {people.Count} found");

        using var redaction = new EvidenceRedactor(fx.Vehicles, fx.Plates).Redact(street, new Box(666, 593, 965, 770));

        Assert.Equal(people, redaction.People);
        foreach (var person in people)
        {
            log.WriteLine($"person at {person}: mean change {MeanChange(street, redaction.Image, person):0.0}");
            Assert.True(MeanChange(street, redaction.Image, person) > 5, $"person at {person} is pixelated");
        }
        Assert.Equal(0, ChangedOutside(street, redaction));
    }

    [Theory]
    [InlineData("沪B10H93", "沪B10H93")] // the plate that reads as the report's is kept, though it is the smallest
    [InlineData("沪X00000", null)] // no plate reads so: the largest is kept (the officer stood in front of his car)
    public void An_officers_photo_keeps_the_reported_plate_and_pixelates_the_other_cars(string reported, string? kept)
    {
        var photo = File.ReadAllBytes(TestPaths.Sample("scenes", "compound_4cars_xue1.jpg"));
        var redactor = new OfficerPhotoRedactor(fx.Decoder, fx.Vision, new EvidenceRedactor(fx.Vehicles, fx.Plates));

        var shared = redactor.Redact(photo, "image/jpeg", reported);

        using var taken = fx.Decoder.Decode(photo);
        using var copy = fx.Decoder.Decode(shared);
        var plates = fx.Plates.Detect(taken);
        var largest = plates.MaxBy(p => p.Box.Area)!;
        var readings = plates.Select(p => (p.Box, Before: fx.Vision.Read(taken, p).Text, After: fx.Vision.Read(copy, p).Text)).ToList();
        foreach (var r in readings)
        {
            log.WriteLine($"plate at {r.Box}: {r.Before} -> {r.After}");
        }
        var keptPlate = readings.Single(r => kept is null ? r.Box == largest.Box : r.Before == kept);
        Assert.Equal(keptPlate.Before, keptPlate.After);
        Assert.True(readings.Count >= 3, $"the scene shows several plates: {readings.Count}");
        Assert.All(readings.Where(r => r.Box != keptPlate.Box), r => Assert.NotEqual(r.Before, r.After));
    }

    [Fact]
    public void An_officers_photo_with_nothing_to_hide_is_shared_as_taken()
    {
        var photo = File.ReadAllBytes(TestPaths.Sample("plates", "ccpd_rpnet_demo_0.jpg"));
        var redactor = new OfficerPhotoRedactor(fx.Decoder, fx.Vision, new EvidenceRedactor(fx.Vehicles, fx.Plates));

        Assert.Equal(photo, redactor.Redact(photo, "image/jpeg", "皖A195K9"));
    }

    [Fact]
    public void One_detector_run_finds_the_same_vehicles_and_people_as_two_and_redaction_takes_the_people_it_is_given()
    {
        using var street = fx.Load("scenes", "street_kiven.jpg");
        var both = fx.Vehicles.DetectWithPeople(street);

        Assert.Equal(fx.Vehicles.Detect(street), both.Vehicles);
        Assert.Equal(fx.Vehicles.DetectPeople(street), both.People);
        var cited = new Box(666, 593, 965, 770);
        using var found = new EvidenceRedactor(fx.Vehicles, fx.Plates).Redact(street, cited);
        using var given = new EvidenceRedactor(fx.Vehicles, fx.Plates).Redact(street, cited, both.People);
        Assert.Equal(found.People, given.People);
        Assert.Equal(0, Changed(found.Image, given.Image, new Box(0, 0, street.Width, street.Height)));
        using var onlyOne = new EvidenceRedactor(fx.Vehicles, fx.Plates).Redact(street, cited, [both.People[0]]);
        Assert.Equal([both.People[0]], onlyOne.People);
    }

    [Fact]
    public void Redaction_takes_the_plates_it_is_given_without_searching_again_and_redacts_the_same()
    {
        using var scene = fx.Load("scenes", "compound_4cars_xue1.jpg");
        var cited = fx.Vision.Analyze(scene).Vehicles.Single(v => v.Plate?.Text == "沪BRF210").Vehicle.Box;
        var people = fx.Vehicles.DetectPeople(scene);
        var plates = new CountingPlateDetector(fx.Plates);
        var redactor = new EvidenceRedactor(fx.Vehicles, plates);

        using var searched = redactor.Redact(scene, cited, people);
        Assert.Equal(1, plates.Runs);
        using var given = redactor.Redact(scene, cited, people, fx.Plates.Detect(scene));

        Assert.Equal(1, plates.Runs);
        Assert.True(searched.OtherPlates.Count >= 2, $"other cars' plates: {searched.OtherPlates.Count}");
        Assert.Equal(searched.OtherPlates, given.OtherPlates);
        Assert.Equal(searched.CitedPlate, given.CitedPlate);
        Assert.Equal(0, Changed(searched.Image, given.Image, new Box(0, 0, scene.Width, scene.Height)));
    }

    [Fact]
    public void An_officers_photo_is_searched_for_plates_once_and_redacted_as_a_second_search_would()
    {
        var photo = File.ReadAllBytes(TestPaths.Sample("scenes", "compound_4cars_xue1.jpg"));
        var plates = new CountingPlateDetector(fx.Plates);
        var vision = new VehicleVision(fx.Vehicles, plates, fx.Reader, fx.Colors, Microsoft.Extensions.Options.Options.Create(fx.Options));
        var redactor = new OfficerPhotoRedactor(fx.Decoder, vision, new EvidenceRedactor(fx.Vehicles, plates));

        var shared = redactor.Redact(photo, "image/jpeg", "沪B10H93");

        Assert.Equal(1, plates.Runs);
        using var taken = fx.Decoder.Decode(photo);
        var reported = fx.Vision.ReadPlates(taken).Single(p => p.Text == "沪B10H93");
        using var searchedAgain = new EvidenceRedactor(fx.Vehicles, fx.Plates).Redact(taken, reported.Box);
        Assert.Equal(Annotator.Encode(searchedAgain.Image, 95), shared);
    }

    /// <summary>The real plate detector, counting its runs.</summary>
    private sealed class CountingPlateDetector(IPlateDetector detector) : IPlateDetector
    {
        private int _runs;

        public int Runs => _runs;

        public IReadOnlyList<PlateDetection> Detect(Mat image)
        {
            Interlocked.Increment(ref _runs);
            return detector.Detect(image);
        }
    }

    private static Rect Pixels(Mat image, Box b)
    {
        var c = b.ClampTo(image.Width, image.Height);
        int x = (int)MathF.Floor(c.X1), y = (int)MathF.Floor(c.Y1);
        return new Rect(x, y, (int)MathF.Ceiling(c.X2) - x, (int)MathF.Ceiling(c.Y2) - y);
    }

    private static int Changed(Mat a, Mat b, Box region)
    {
        var r = Pixels(a, region);
        using var diff = new Mat();
        Cv2.Absdiff(new Mat(a, r), new Mat(b, r), diff);
        return Cv2.CountNonZero(diff.CvtColor(ColorConversionCodes.BGR2GRAY));
    }

    private static double MeanChange(Mat a, Mat b, Box region)
    {
        var r = Pixels(a, region);
        using var diff = new Mat();
        Cv2.Absdiff(new Mat(a, r), new Mat(b, r), diff);
        return Cv2.Mean(diff.CvtColor(ColorConversionCodes.BGR2GRAY)).Val0;
    }

    /// <summary>Changed pixels outside the redacted regions (people, other plates) and inside the kept plate: there should be none.</summary>
    private static int ChangedOutside(Mat image, Redaction redaction)
    {
        using var allowed = new Mat(image.Size(), MatType.CV_8UC1, Scalar.All(0));
        foreach (var region in redaction.People.Concat(redaction.OtherPlates))
        {
            allowed.Rectangle(Pixels(image, region), Scalar.All(255), -1);
        }
        if (redaction.CitedPlate is { } kept)
        {
            allowed.Rectangle(Pixels(image, kept), Scalar.All(0), -1);
        }
        using var diff = new Mat();
        Cv2.Absdiff(image, redaction.Image, diff);
        using var changed = diff.CvtColor(ColorConversionCodes.BGR2GRAY).Threshold(0, 255, ThresholdTypes.Binary);
        using var outside = new Mat();
        Cv2.BitwiseNot(allowed, outside);
        using var both = new Mat();
        Cv2.BitwiseAnd(changed, outside, both);
        return Cv2.CountNonZero(both);
    }
}
