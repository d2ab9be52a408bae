using OneThing.Edge.Domain.Geometry;

namespace OneThing.Edge.Vision;

/// <summary>
/// How an image of any size was fitted into a fixed model input: uniform scale, then padding. YOLOX pads at the
/// bottom/right (image top-left), HyperLPR3 centres the image; both are undone the same way.
/// </summary>
public readonly record struct Letterbox(double Scale, int PadLeft, int PadTop, int ResizedWidth, int ResizedHeight)
{
    /// <summary>YOLOX <c>preproc</c>: image at the top-left, the rest filled.</summary>
    public static Letterbox TopLeft(int width, int height, int inputWidth, int inputHeight)
    {
        var (r, nw, nh) = Fit(width, height, inputWidth, inputHeight);
        return new Letterbox(r, 0, 0, nw, nh);
    }

    /// <summary>HyperLPR3 <c>detect_pre_precessing</c>: image centred, the remainder on the bottom/right.</summary>
    public static Letterbox Centered(int width, int height, int inputWidth, int inputHeight)
    {
        var (r, nw, nh) = Fit(width, height, inputWidth, inputHeight);
        return new Letterbox(r, (inputWidth - nw) / 2, (inputHeight - nh) / 2, nw, nh);
    }

    public PointF ToInput(PointF p) => new((float)(p.X * Scale + PadLeft), (float)(p.Y * Scale + PadTop));

    public PointF ToImage(PointF p) => new((float)((p.X - PadLeft) / Scale), (float)((p.Y - PadTop) / Scale));

    public Box ToImage(Box b)
    {
        var tl = ToImage(new PointF(b.X1, b.Y1));
        var br = ToImage(new PointF(b.X2, b.Y2));
        return new Box(tl.X, tl.Y, br.X, br.Y);
    }

    private static (double R, int W, int H) Fit(int width, int height, int inputWidth, int inputHeight)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        var r = Math.Min((double)inputHeight / height, (double)inputWidth / width);
        return (r, Math.Max(1, (int)(width * r)), Math.Max(1, (int)(height * r)));
    }
}
