using OneThing.Edge.Domain.Geometry;
using OpenCvSharp;

namespace OneThing.Edge.Vision;

/// <summary>Turns a detected plate into an upright one-line image for the reader.</summary>
public static class PlateRectifier
{
    /// <summary>
    /// Perspective-warps the quadrilateral (TL, TR, BR, BL) to a <c>w x h</c> rectangle, w and h the longer of
    /// the opposite sides. The caller owns the result.
    /// </summary>
    public static Mat Rectify(Mat frame, IReadOnlyList<PointF> corners)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ArgumentNullException.ThrowIfNull(corners);
        if (corners.Count != 4)
        {
            throw new ArgumentException("4 corners expected", nameof(corners));
        }
        var src = corners.Select(c => new Point2f(c.X, c.Y)).ToArray();
        var w = Math.Max(Distance(src[0], src[1]), Distance(src[2], src[3]));
        var h = Math.Max(Distance(src[0], src[3]), Distance(src[1], src[2]));
        var width = Math.Max(1, (int)w);
        var height = Math.Max(1, (int)h);
        Point2f[] dst = [new(0, 0), new(width, 0), new(width, height), new(0, height)];
        using var transform = Cv2.GetPerspectiveTransform(src, dst);
        var plate = new Mat();
        Cv2.WarpPerspective(frame, plate, transform, new Size(width, height), InterpolationFlags.Cubic, BorderTypes.Replicate);
        return plate;
    }

    /// <summary>
    /// The plate slanted back by <paramref name="shear"/> (columns per row, about the middle row), widened with its
    /// edge columns so no character is cut: characters leaning as a plate seen from the side does stand upright.
    /// The caller owns the result.
    /// </summary>
    public static Mat Shear(Mat plate, float shear)
    {
        ArgumentNullException.ThrowIfNull(plate);
        var extra = (int)MathF.Ceiling(MathF.Abs(shear) * plate.Height / 2);
        using var wide = new Mat();
        Cv2.CopyMakeBorder(plate, wide, 0, 0, extra, extra, BorderTypes.Replicate);
        using var transform = Mat.FromArray(new double[,] { { 1, shear, -shear * plate.Height / 2.0 }, { 0, 1, 0 } });
        var sheared = new Mat();
        Cv2.WarpAffine(wide, sheared, transform, wide.Size(), InterpolationFlags.Linear, BorderTypes.Replicate);
        return sheared;
    }

    private static float Distance(Point2f a, Point2f b) => MathF.Sqrt((a.X - b.X) * (a.X - b.X) + (a.Y - b.Y) * (a.Y - b.Y));
}
