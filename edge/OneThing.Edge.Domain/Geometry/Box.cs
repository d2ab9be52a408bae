namespace OneThing.Edge.Domain.Geometry;

/// <summary>A point in pixels (or normalised 0..1 where a caller says so).</summary>
public readonly record struct PointF(float X, float Y);

/// <summary>An axis-aligned box in pixel coordinates, corners (X1, Y1) top-left and (X2, Y2) bottom-right.</summary>
public readonly record struct Box(float X1, float Y1, float X2, float Y2)
{
    public float Width => Math.Max(0, X2 - X1);
    public float Height => Math.Max(0, Y2 - Y1);
    public float Area => Width * Height;
    public PointF Center => new((X1 + X2) / 2, (Y1 + Y2) / 2);

    /// <summary>Where the car touches the ground: lane membership is judged by this point, as Frigate does.</summary>
    public PointF BottomCenter => new((X1 + X2) / 2, Y2);

    public float IntersectionArea(Box other)
    {
        var w = Math.Min(X2, other.X2) - Math.Max(X1, other.X1);
        var h = Math.Min(Y2, other.Y2) - Math.Max(Y1, other.Y1);
        return w <= 0 || h <= 0 ? 0 : w * h;
    }

    public float IoU(Box other)
    {
        var inter = IntersectionArea(other);
        var union = Area + other.Area - inter;
        return union <= 0 ? 0 : inter / union;
    }

    public Box ClampTo(float width, float height) =>
        new(Math.Clamp(X1, 0, width), Math.Clamp(Y1, 0, height), Math.Clamp(X2, 0, width), Math.Clamp(Y2, 0, height));

    /// <summary>The box grown by <paramref name="ratio"/> of its size on every side.</summary>
    public Box Expand(float ratio) =>
        new(X1 - Width * ratio, Y1 - Height * ratio, X2 + Width * ratio, Y2 + Height * ratio);
}
