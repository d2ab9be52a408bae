using OneThing.Edge.Domain.Lanes;
using OneThing.Edge.TestKit;
using OpenCvSharp;

namespace OneThing.Edge.Vision.Tests;

/// <summary>The motion gate on real 1280x720 JPEGs of a sample compound scene, decoded as the pipeline decodes them.</summary>
public sealed class MotionGateTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);
    private readonly FrameDecoder _decoder = new(new FrameLimits());
    private readonly MotionGateOptions _options = new();

    // A fire lane over the lower 60 % of the frame (rows 288-720 at 1280x720).
    private static readonly IReadOnlyList<LaneDefinition> Lane =
        [new("lane", [new(0, 0.4f), new(1, 0.4f), new(1, 1), new(0, 1)], 5, 10, 60)];
    private readonly Mat _scene;

    public MotionGateTests()
    {
        using var image = Cv2.ImRead(TestPaths.Sample("scenes", "compound_4cars_xue1.jpg"), ImreadModes.Color);
        _scene = image.Resize(new Size(1280, 720), 0, 0, InterpolationFlags.Area);
    }

    private Mat Thumbnail(Mat frame, int quality = 90)
    {
        Cv2.ImEncode(".jpg", frame, out var jpeg, new ImageEncodingParam(ImwriteFlags.JpegQuality, quality));
        return _decoder.DecodeThumbnail(jpeg, _decoder.ReadHeader(jpeg));
    }

    private MotionGate GateOn(Mat frame, DateTimeOffset at)
    {
        var gate = new MotionGate();
        using var thumbnail = Thumbnail(frame);
        Assert.True(gate.NeedsDetection(thumbnail, at, Lane, _options)); // nothing to compare with yet
        gate.Detected(thumbnail, at);
        return gate;
    }

    private Mat WithPatch(Rect where, Scalar colour)
    {
        var changed = _scene.Clone();
        changed.Rectangle(where, colour, -1);
        return changed;
    }

    [Fact]
    public void The_same_scene_skips_the_detector_even_when_encoded_at_another_quality()
    {
        var gate = GateOn(_scene, T0);
        using var same = Thumbnail(_scene);
        using var noisier = Thumbnail(_scene, quality: 60);

        Assert.Equal(new Size(160, 90), same.Size());
        Assert.False(gate.NeedsDetection(same, T0.AddSeconds(1), Lane, _options));
        Assert.False(gate.NeedsDetection(noisier, T0.AddSeconds(2), Lane, _options));
    }

    [Fact]
    public void A_car_sized_change_runs_the_detector_and_a_bird_sized_one_does_not()
    {
        var gate = GateOn(_scene, T0);
        using var car = WithPatch(new Rect(900, 500, 120, 80), Scalar.White);
        using var bird = WithPatch(new Rect(600, 500, 12, 12), Scalar.White);
        using var carThumbnail = Thumbnail(car);
        using var birdThumbnail = Thumbnail(bird);

        Assert.True(gate.NeedsDetection(carThumbnail, T0.AddSeconds(1), Lane, _options));
        Assert.False(gate.NeedsDetection(birdThumbnail, T0.AddSeconds(1), Lane, _options));
    }

    [Fact]
    public void Changes_add_up_against_the_last_detected_frame_not_the_previous_one()
    {
        // Something creeping in: 12 blocks changed, then 12 more. Each frame differs from the one before by less than
        // the threshold (18 of the lane's ~8,960 blocks); against the reference the second differs by 24.
        var gate = GateOn(_scene, T0);
        using var first = WithPatch(new Rect(800, 400, 48, 16), Scalar.White);
        using var both = first.Clone();
        both.Rectangle(new Rect(880, 400, 48, 16), Scalar.White, -1);
        using var firstThumbnail = Thumbnail(first);
        using var bothThumbnail = Thumbnail(both);

        Assert.False(gate.NeedsDetection(firstThumbnail, T0.AddSeconds(1), Lane, _options));
        Assert.True(gate.NeedsDetection(bothThumbnail, T0.AddSeconds(2), Lane, _options));
    }

    [Fact]
    public void Traffic_outside_the_lanes_does_not_run_the_detector_unless_no_lane_is_configured()
    {
        var gate = GateOn(_scene, T0);
        using var above = WithPatch(new Rect(400, 40, 240, 160), Scalar.White); // rows 40-200, above the lane
        using var aboveThumbnail = Thumbnail(above);

        Assert.False(gate.NeedsDetection(aboveThumbnail, T0.AddSeconds(1), Lane, _options));
        Assert.True(gate.NeedsDetection(aboveThumbnail, T0.AddSeconds(1), [], _options));
    }

    [Fact]
    public void A_still_scene_is_detected_again_after_the_keep_alive_time()
    {
        var gate = GateOn(_scene, T0);
        using var same = Thumbnail(_scene);
        var keepAlive = TimeSpan.FromSeconds(_options.KeepAliveSeconds);

        Assert.False(gate.NeedsDetection(same, T0 + keepAlive - TimeSpan.FromMilliseconds(1), Lane, _options));
        Assert.True(gate.NeedsDetection(same, T0 + keepAlive, Lane, _options));
        gate.Detected(same, T0 + keepAlive);
        Assert.False(gate.NeedsDetection(same, T0 + keepAlive + TimeSpan.FromSeconds(1), Lane, _options));
    }

    [Fact]
    public void A_new_resolution_a_clock_step_back_or_a_disabled_gate_always_run_the_detector()
    {
        var gate = GateOn(_scene, T0);
        using var same = Thumbnail(_scene);
        using var smaller = _scene.Resize(new Size(640, 360));
        using var smallerThumbnail = Thumbnail(smaller);

        Assert.True(gate.NeedsDetection(smallerThumbnail, T0.AddSeconds(1), Lane, _options));
        Assert.True(gate.NeedsDetection(same, T0.AddSeconds(-1), Lane, _options));
        Assert.True(gate.NeedsDetection(same, T0.AddSeconds(1), Lane, new MotionGateOptions { Enabled = false }));
    }

    [Fact]
    public void A_frame_due_for_the_detector_gives_a_reference_from_its_full_decode_that_gates_as_the_decoded_thumbnail_does()
    {
        Cv2.ImEncode(".jpg", _scene, out var jpeg, new ImageEncodingParam(ImwriteFlags.JpegQuality, 90));
        var header = _decoder.ReadHeader(jpeg);
        using var full = _decoder.Decode(jpeg, header);
        using var derived = FrameDecoder.ThumbnailOf(full);
        using var decoded = _decoder.DecodeThumbnail(jpeg, header);
        using var diff = new Mat();
        Cv2.Absdiff(derived, decoded, diff);
        diff.MinMaxLoc(out double _, out double largest);

        Assert.Equal(decoded.Size(), derived.Size());
        Assert.Equal(FrameDecoder.ThumbnailSize(header), derived.Size());
        Assert.True(largest <= 3, $"largest grey difference {largest}");
        var gate = new MotionGate();
        Assert.True(gate.MustDetect(derived.Size(), T0, _options)); // no reference yet
        gate.Detected(derived, T0);
        Assert.False(gate.MustDetect(derived.Size(), T0.AddSeconds(1), _options));
        Assert.True(gate.MustDetect(derived.Size(), T0.AddSeconds(_options.KeepAliveSeconds), _options));
        using var same = Thumbnail(_scene);
        Assert.False(gate.NeedsDetection(same, T0.AddSeconds(1), Lane, _options));
        using var carFrame = WithPatch(new Rect(500, 450, 240, 140), new Scalar(30, 30, 200));
        using var car = Thumbnail(carFrame);
        Assert.True(gate.NeedsDetection(car, T0.AddSeconds(2), Lane, _options));
    }

    public void Dispose() => _scene.Dispose();
}
