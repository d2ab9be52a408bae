using OneThing.Edge.Domain.Geometry;

namespace OneThing.Edge.Domain.Lanes;

/// <summary>Plane geometry on lane polygons (any simple polygon, convex or not).</summary>
public static class LanePolygon
{
    /// <summary>Point-in-polygon by ray casting; a point on an edge or vertex counts as inside.</summary>
    public static bool Contains(IReadOnlyList<PointF> polygon, PointF point)
    {
        var inside = false;
        for (int i = 0, j = polygon.Count - 1; i < polygon.Count; j = i++)
        {
            var a = polygon[j];
            var b = polygon[i];
            if (OnSegment(a, b, point))
            {
                return true;
            }
            if ((b.Y > point.Y) != (a.Y > point.Y))
            {
                var xCross = (double)(a.X - b.X) * (point.Y - b.Y) / (a.Y - b.Y) + b.X;
                if (point.X < xCross)
                {
                    inside = !inside;
                }
            }
        }
        return inside;
    }

    /// <summary>Signed area by the shoelace formula (positive when counter-clockwise in y-up axes).</summary>
    public static double Area(IReadOnlyList<PointF> polygon)
    {
        double sum = 0;
        for (int i = 0, j = polygon.Count - 1; i < polygon.Count; j = i++)
        {
            sum += (double)polygon[j].X * polygon[i].Y - (double)polygon[i].X * polygon[j].Y;
        }
        return sum / 2;
    }

    /// <summary>
    /// The share of <paramref name="box"/> covered by the polygon (0..1), exact: the polygon is clipped to the box
    /// (Sutherland-Hodgman against a convex window stays correct in area for concave polygons).
    /// </summary>
    public static double OverlapRatio(IReadOnlyList<PointF> polygon, Box box)
    {
        if (box.Area <= 0)
        {
            return 0;
        }
        IReadOnlyList<PointF> clipped = polygon;
        clipped = Clip(clipped, p => p.X >= box.X1, (a, b) => AtX(a, b, box.X1));
        clipped = Clip(clipped, p => p.X <= box.X2, (a, b) => AtX(a, b, box.X2));
        clipped = Clip(clipped, p => p.Y >= box.Y1, (a, b) => AtY(a, b, box.Y1));
        clipped = Clip(clipped, p => p.Y <= box.Y2, (a, b) => AtY(a, b, box.Y2));
        return clipped.Count < 3 ? 0 : Math.Min(1, Math.Abs(Area(clipped)) / box.Area);
    }

    /// <summary>The first pair of non-adjacent edges (by start index) that touch or cross, or null for a simple polygon.</summary>
    public static (int First, int Second)? FindSelfCrossing(IReadOnlyList<PointF> polygon)
    {
        var n = polygon.Count;
        for (var i = 0; i < n; i++)
        {
            for (var k = i + 1; k < n; k++)
            {
                var adjacent = k == i + 1 || (i == 0 && k == n - 1);
                if (adjacent)
                {
                    continue;
                }
                if (SegmentsTouch(polygon[i], polygon[(i + 1) % n], polygon[k], polygon[(k + 1) % n]))
                {
                    return (i, k);
                }
            }
        }
        return null;
    }

    private static List<PointF> Clip(IReadOnlyList<PointF> input, Func<PointF, bool> keep, Func<PointF, PointF, PointF> cross)
    {
        var output = new List<PointF>(input.Count + 4);
        for (var i = 0; i < input.Count; i++)
        {
            var current = input[i];
            var previous = input[(i + input.Count - 1) % input.Count];
            if (keep(current))
            {
                if (!keep(previous))
                {
                    output.Add(cross(previous, current));
                }
                output.Add(current);
            }
            else if (keep(previous))
            {
                output.Add(cross(previous, current));
            }
        }
        return output;
    }

    private static PointF AtX(PointF a, PointF b, float x) => new(x, a.Y + (b.Y - a.Y) * (x - a.X) / (b.X - a.X));

    private static PointF AtY(PointF a, PointF b, float y) => new(a.X + (b.X - a.X) * (y - a.Y) / (b.Y - a.Y), y);

    private static double Cross(PointF o, PointF a, PointF b) => (double)(a.X - o.X) * (b.Y - o.Y) - (double)(a.Y - o.Y) * (b.X - o.X);

    private static bool OnSegment(PointF a, PointF b, PointF p) =>
        Math.Abs(Cross(a, b, p)) < 1e-9
        && p.X >= Math.Min(a.X, b.X) && p.X <= Math.Max(a.X, b.X)
        && p.Y >= Math.Min(a.Y, b.Y) && p.Y <= Math.Max(a.Y, b.Y);

    private static bool SegmentsTouch(PointF a, PointF b, PointF c, PointF d)
    {
        var d1 = Cross(c, d, a);
        var d2 = Cross(c, d, b);
        var d3 = Cross(a, b, c);
        var d4 = Cross(a, b, d);
        if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0)))
        {
            return true;
        }
        return OnSegment(c, d, a) || OnSegment(c, d, b) || OnSegment(a, b, c) || OnSegment(a, b, d);
    }
}
