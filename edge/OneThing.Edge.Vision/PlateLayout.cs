using OneThing.Edge.Domain.Geometry;

namespace OneThing.Edge.Vision;

/// <summary>
/// Single- or double-layer plate, from the rectified plate's shape, the detector's class and the colour. GA 36-2018
/// plates are 440 x 140 mm (blue, yellow single-layer: 3.1 : 1), 480 x 140 (green: 3.4 : 1) and 440 x 220 for the
/// double-layer plates of trucks, buses and trailers (2 : 1), which are yellow.
/// </summary>
public static class PlateLayout
{
    /// <summary>Below this width : height a plate is double-layer whatever the detector said (between 2 and 3.1).</summary>
    public const float DoubleBelow = 2.5f;

    /// <summary>Above this a plate is one line; between the two the detector's class or a yellow colour decide.</summary>
    public const float SingleAbove = 2.9f;

    /// <summary>Double-layer below 2.5 : 1; up to 2.9 : 1 when the detector says so or the plate is yellow, never when blue.</summary>
    public static bool IsDoubleLayer(int width, int height, bool detectedDouble, string? color) =>
        (color != "blue" && Ratio(width, height) < DoubleBelow) || (CouldBeDoubleLayer(width, height, color) && (detectedDouble || color == "yellow"));

    /// <summary>Not clearly one line by its shape, and not blue (small vehicles: one line).</summary>
    public static bool CouldBeDoubleLayer(int width, int height, string? color) => color != "blue" && Ratio(width, height) <= SingleAbove;

    private static float Ratio(int width, int height) => (float)width / Math.Max(1, height);

    /// <summary>
    /// The upper line of a double-layer plate (province, letter): the top 5/12 of the rows (HyperLPR3's split) and
    /// the middle 3/5 of the width, where GA 36 centres its two characters.
    /// </summary>
    public static OpenCvSharp.Rect UpperLine(int width, int height) =>
        new(width / 5, 0, Math.Max(1, width - 2 * (width / 5)), Math.Max(1, 5 * height / 12));

    /// <summary>
    /// Where the upper line is read: <see cref="UpperLine"/> first, then the same columns 1/3, 5/12 or 1/2 of the
    /// height high, starting 1/20 of the height above the top (cut there), at it, or 1/20 or 1/10 below it. On a
    /// 14-px line a row or two of rim or serial decides whether the province is read at all.
    /// </summary>
    public static IEnumerable<OpenCvSharp.Rect> UpperLineWindows(int width, int height)
    {
        var first = UpperLine(width, height);
        yield return first;
        foreach (var top in (float[])[-0.05f, 0, 0.05f, 0.1f])
        {
            foreach (var tall in (float[])[1 / 3f, 5 / 12f, 1 / 2f])
            {
                var y0 = Math.Clamp((int)MathF.Round(top * height), 0, height - 1);
                var y1 = Math.Clamp((int)MathF.Round((top + tall) * height), y0 + 1, height);
                var window = first with { Y = y0, Height = y1 - y0 };
                if (window != first)
                {
                    yield return window;
                }
            }
        }
    }

    /// <summary>
    /// How far above a double-layer plate's lower line its top edge is, in heights of that line: GA 36 puts the
    /// 110 mm serial in the lower half of the 220 mm plate with the 60 mm upper line above it, so a box around the
    /// serial alone (what the detector sometimes finds on such a plate) grown up by 3/4 of its height holds both.
    /// </summary>
    public const float UpperLineAboveLower = 0.75f;

    /// <summary>Characters on a double-layer plate's lower line: the five of the serial.</summary>
    public const int SerialLength = 5;

    /// <summary>
    /// How far up a yellow plate's box is grown, in heights of the box, to read it again as two lines: a box around
    /// the serial alone by about <see cref="UpperLineAboveLower"/> (a little less or more: the detector's box is not
    /// the line's), a two-line box whose top cut into the upper line by a few rows.
    /// </summary>
    public static IReadOnlyList<float> UpperLineGrowths(bool serialAlone) => serialAlone ? [0.6f, UpperLineAboveLower, 0.9f] : [0.15f, 0.3f];

    /// <summary>The quadrilateral (TL, TR, BR, BL) grown up by <paramref name="above"/> of its height (a lower line by default: up to the top of its double-layer plate).</summary>
    public static IReadOnlyList<PointF> WithUpperLine(IReadOnlyList<PointF> lowerLine, float above = UpperLineAboveLower)
    {
        ArgumentNullException.ThrowIfNull(lowerLine);
        PointF Up(PointF top, PointF bottom) => new(top.X + (top.X - bottom.X) * above, top.Y + (top.Y - bottom.Y) * above);
        return [Up(lowerLine[0], lowerLine[3]), Up(lowerLine[1], lowerLine[2]), lowerLine[2], lowerLine[3]];
    }

    /// <summary>The lower line (serial) is the rows from a third of the height down, overlapping the upper a little.</summary>
    public static int LowerLineTop(int height) => Math.Min(height - 1, height / 3);
}
