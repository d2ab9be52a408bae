using OneThing.Edge.Domain.Geometry;
using OneThing.Edge.Domain.Plates;

namespace OneThing.Edge.Vision.Tests;

public sealed class DecoderMathTests
{
    private const int Classes = 80;
    private const int RowLength = 85;
    private static readonly int[] Strides = [8, 16, 32];

    private static bool[] VehicleClasses()
    {
        var wanted = new bool[Classes];
        foreach (var id in new[] { 2, 3, 5, 7 })
        {
            wanted[id] = true;
        }
        return wanted;
    }

    private static void SetRow(float[] output, int row, float tx, float ty, float tw, float th, float obj, int cls, float clsScore)
    {
        var r = output.AsSpan(row * RowLength, RowLength);
        r[0] = tx;
        r[1] = ty;
        r[2] = tw;
        r[3] = th;
        r[4] = obj;
        r[5 + cls] = clsScore;
    }

    [Fact]
    public void Yolox_grid_decode_puts_hits_at_their_grid_cells_and_undoes_the_letterbox()
    {
        Assert.Equal(3549, YoloxDecoder.RowCount(416, 416, Strides));
        var output = new float[3549 * RowLength];
        // Stride 8, cell (gx 10, gy 5): centre (84, 44), 32 x 16 in input pixels.
        SetRow(output, 5 * 52 + 10, 0.5f, 0.5f, MathF.Log(4), MathF.Log(2), 0.9f, 2, 0.8f);
        // Stride 32, cell (gx 3, gy 7) after the 52x52 and 26x26 rows: centre (96, 224), 32 x 32.
        SetRow(output, 2704 + 676 + 7 * 13 + 3, 0, 0, 0, 0, 1f, 7, 0.9f);
        // A person (class 0) and a car below the threshold must not come out.
        SetRow(output, 2704 + 4 * 26 + 4, 0, 0, 0, 0, 0.9f, 0, 0.9f);
        SetRow(output, 100, 0, 0, 0, 0, 0.5f, 2, 0.5f);

        var found = new List<ClassBox>();
        var lb = Letterbox.TopLeft(832, 832, 416, 416); // scale 0.5
        YoloxDecoder.Decode(output, Classes, 416, 416, Strides, lb, 832, 832, 0.3f, VehicleClasses(), found);

        Assert.Equal(2, found.Count);
        var car = found.Single(f => f.ClassId == 2);
        Assert.Equal(0.72f, car.Score, 4);
        AssertBox(new Box(136, 72, 200, 104), car.Box);
        var truck = found.Single(f => f.ClassId == 7);
        Assert.Equal(0.9f, truck.Score, 4);
        AssertBox(new Box(160, 416, 224, 480), truck.Box);
    }

    [Fact]
    public void Yolox_decode_rejects_an_output_of_the_wrong_size()
    {
        var found = new List<ClassBox>();
        Assert.Throws<ArgumentException>(() => YoloxDecoder.Decode(new float[100 * RowLength], Classes, 416, 416, Strides,
            Letterbox.TopLeft(416, 416, 416, 416), 416, 416, 0.3f, VehicleClasses(), found));
    }

    [Fact]
    public void Class_agnostic_nms_merges_car_and_truck_on_one_vehicle_and_keeps_a_separate_car()
    {
        List<ClassBox> candidates =
        [
            new(new Box(102, 98, 305, 203), 0.6f, 7),
            new(new Box(400, 100, 500, 200), 0.7f, 2),
            new(new Box(100, 100, 300, 200), 0.8f, 2),
        ];
        var kept = NonMaxSuppression.Apply(candidates, c => c.Box, c => c.Score, 0.45f);
        Assert.Equal(2, kept.Count);
        Assert.Equal((2, 0.8f), (kept[0].ClassId, kept[0].Score));
        Assert.Equal(new Box(400, 100, 500, 200), kept[1].Box);
    }

    [Fact]
    public void Top_left_letterbox_maps_forward_and_back()
    {
        var lb = Letterbox.TopLeft(1280, 720, 416, 416);
        Assert.Equal((0.325, 0, 0, 416, 234), (lb.Scale, lb.PadLeft, lb.PadTop, lb.ResizedWidth, lb.ResizedHeight));
        var p = lb.ToInput(new PointF(640, 360));
        Assert.Equal(208, p.X, 3);
        Assert.Equal(117, p.Y, 3);
        var back = lb.ToImage(p);
        Assert.Equal(640, back.X, 2);
        Assert.Equal(360, back.Y, 2);
    }

    [Fact]
    public void Centred_letterbox_pads_both_sides_and_maps_back()
    {
        var lb = Letterbox.Centered(720, 1160, 320, 320);
        Assert.Equal(198, lb.ResizedWidth); // int(720 * 320 / 1160)
        Assert.Equal(320, lb.ResizedHeight);
        Assert.Equal(61, lb.PadLeft);
        Assert.Equal(0, lb.PadTop);
        var wide = Letterbox.Centered(640, 320, 320, 320);
        Assert.Equal((0, 80), (wide.PadLeft, wide.PadTop));
        var p = new PointF(300, 900);
        var back = lb.ToImage(lb.ToInput(p));
        Assert.Equal(p.X, back.X, 2);
        Assert.Equal(p.Y, back.Y, 2);
        Assert.Equal(61 + 300 * 320 / 1160f, lb.ToInput(p).X, 2);
    }

    [Fact]
    public void Plate_decode_keeps_confident_plates_classifies_layers_and_undoes_the_centred_letterbox()
    {
        var output = new float[6300 * 15];
        void Row(int i, float cx, float cy, float w, float h, float obj, float single, float dbl)
        {
            var r = output.AsSpan(i * 15, 15);
            (r[0], r[1], r[2], r[3], r[4]) = (cx, cy, w, h, obj);
            (r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12]) = (cx - w / 2, cy - h / 2, cx + w / 2, cy - h / 2, cx + w / 2, cy + h / 2, cx - w / 2, cy + h / 2);
            (r[13], r[14]) = (single, dbl);
        }
        Row(10, 160, 160, 100, 30, 0.9f, 0.1f, 0.9f);   // double layer, score 0.81
        Row(11, 162, 161, 100, 30, 0.8f, 0.1f, 0.9f);   // same plate, weaker: suppressed
        Row(12, 60, 100, 40, 12, 0.3f, 0.9f, 0.1f);     // objectness passes, score 0.27 < 0.5: dropped
        Row(13, 250, 200, 40, 12, 0.2f, 1f, 0f);        // objectness 0.2 <= 0.25: dropped
        var lb = Letterbox.Centered(640, 320, 320, 320); // scale 0.5, pad top 80

        var plates = PlateDetector.Decode(output, lb, 640, 320, 0.25f, 0.5f, 0.5f);

        var plate = Assert.Single(plates);
        Assert.True(plate.DoubleLayer);
        Assert.Equal(0.81f, plate.Score, 4);
        AssertBox(new Box(220, 130, 420, 190), plate.Box);
        Assert.Equal(new PointF(420, 130), plate.Corners[1]);
        Assert.Equal(new PointF(220, 190), plate.Corners[3]);
    }

    [Fact]
    public void Ctc_drops_blanks_and_repeats_but_keeps_a_letter_repeated_across_a_blank()
    {
        string[] keys = ["A", "B", "C"]; // classes: 0 blank, 1..3 keys, 4 space
        int[] argmax = [1, 1, 0, 1, 2, 2, 4, 3, 0, 0];
        var probs = new float[argmax.Length * 5];
        for (var t = 0; t < argmax.Length; t++)
        {
            for (var c = 0; c < 5; c++)
            {
                probs[t * 5 + c] = 0.05f;
            }
            probs[t * 5 + argmax[t]] = t == 0 ? 0.6f : 0.9f;
        }
        var (text, confidence) = CtcDecoder.Decode(probs, 5, keys);
        Assert.Equal("AAB C", text);
        Assert.Equal((0.6f + 0.9f * 4) / 5, confidence, 4);
    }

    [Fact]
    public void Ctc_of_all_blanks_is_empty_with_zero_confidence()
    {
        var probs = new float[4 * 5];
        for (var t = 0; t < 4; t++)
        {
            probs[t * 5] = 1;
        }
        Assert.Equal(("", 0f), CtcDecoder.Decode(probs, 5, ["A", "B", "C"]));
    }

    [Theory]
    [InlineData("皖A·W5V00", "皖AW5V00", true)]
    [InlineData("沪BO1I23", "沪B01123", true)]
    [InlineData("O京A12345", "京A12345", true)]
    [InlineData("鄂·F8888警", "鄂F8888警", true)]
    [InlineData("沪A·F71017", "沪AF71017", true)]
    [InlineData("粤ZR066港", "粤ZR066港", true)]
    [InlineData("闵D·G065G", "DG065G", false)]
    [InlineData("W1693015", "W1693015", false)]
    [InlineData("皖a-yl375", "皖AYL375", true)]
    [InlineData("", "", false)]
    public void Plate_text_is_cleaned_and_validated(string raw, string cleaned, bool valid)
    {
        var text = PlateText.Clean(raw);
        Assert.Equal(cleaned, text);
        Assert.Equal(valid, PlateFormat.IsValid(text));
    }

    private static void AssertBox(Box expected, Box actual)
    {
        Assert.Equal(expected.X1, actual.X1, 2);
        Assert.Equal(expected.Y1, actual.Y1, 2);
        Assert.Equal(expected.X2, actual.X2, 2);
        Assert.Equal(expected.Y2, actual.Y2, 2);
    }
}
