using OneThing.Edge.Domain.Geometry;

namespace OneThing.Edge.Domain.Lanes;

/// <summary>
/// One fire lane as a camera sees it. <see cref="Polygon"/> is normalised (0..1 of frame width and height) so
/// it survives a change of stream resolution. A vehicle must stand still <see cref="StopSeconds"/> to count as
/// stopped (first evidence frame), then <see cref="ConfirmSeconds"/> more to become a violation (second frame).
/// </summary>
public sealed record LaneDefinition(
    string Id,
    IReadOnlyList<PointF> Polygon,
    double StopSeconds,
    double ConfirmSeconds,
    double CooldownMinutes,
    double MinOverlapRatio = 0.3)
{
    public TimeSpan StopDuration => TimeSpan.FromSeconds(StopSeconds);
    public TimeSpan ConfirmDuration => TimeSpan.FromSeconds(ConfirmSeconds);
    public TimeSpan Cooldown => TimeSpan.FromMinutes(CooldownMinutes);

    /// <summary>Every problem with this definition, each starting with the field it concerns; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Id))
        {
            errors.Add("Id: must not be empty");
        }
        if (Polygon is null || Polygon.Count < 3)
        {
            errors.Add($"Polygon: needs at least 3 points, has {Polygon?.Count ?? 0}");
        }
        else
        {
            for (var i = 0; i < Polygon.Count; i++)
            {
                var p = Polygon[i];
                if (!(p.X is >= 0 and <= 1) || !(p.Y is >= 0 and <= 1))
                {
                    errors.Add($"Polygon[{i}]: point ({p.X}, {p.Y}) is outside 0..1 (coordinates are normalised to the frame)");
                }
            }
            if (LanePolygon.FindSelfCrossing(Polygon) is { } crossing)
            {
                errors.Add($"Polygon: edges {crossing.First} and {crossing.Second} cross each other");
            }
            else if (Math.Abs(LanePolygon.Area(Polygon)) < 1e-6)
            {
                errors.Add("Polygon: encloses no area");
            }
        }
        if (!(StopSeconds > 0))
        {
            errors.Add($"StopSeconds: must be positive, is {StopSeconds}");
        }
        if (!(ConfirmSeconds > 0))
        {
            errors.Add($"ConfirmSeconds: must be positive, is {ConfirmSeconds}");
        }
        if (!(CooldownMinutes > 0))
        {
            errors.Add($"CooldownMinutes: must be positive, is {CooldownMinutes}");
        }
        if (!(MinOverlapRatio is >= 0 and <= 1))
        {
            errors.Add($"MinOverlapRatio: must be within 0..1, is {MinOverlapRatio}");
        }
        return errors;
    }

    /// <summary>Throws with every problem listed (field names prefixed by the lane id) when the definition is invalid.</summary>
    public LaneDefinition EnsureValid()
    {
        var errors = Validate();
        return errors.Count == 0
            ? this
            : throw new ArgumentException($"Lane '{Id}' is invalid: " + string.Join("; ", errors));
    }

    /// <summary>
    /// Whether a vehicle box (pixels) is in this lane: its bottom-centre (where it touches the ground) is inside the
    /// polygon and at least <see cref="MinOverlapRatio"/> of the box overlaps the polygon.
    /// </summary>
    public bool Contains(Box box, int frameWidth, int frameHeight) => OverlapIfInside(box, frameWidth, frameHeight) is not null;

    /// <summary>The overlap ratio when the box counts as in the lane, else null.</summary>
    public double? OverlapIfInside(Box box, int frameWidth, int frameHeight)
    {
        if (frameWidth <= 0 || frameHeight <= 0 || box.Area <= 0)
        {
            return null;
        }
        var normalised = new Box(box.X1 / frameWidth, box.Y1 / frameHeight, box.X2 / frameWidth, box.Y2 / frameHeight);
        if (!LanePolygon.Contains(Polygon, normalised.BottomCenter))
        {
            return null;
        }
        var overlap = LanePolygon.OverlapRatio(Polygon, normalised);
        return overlap >= MinOverlapRatio ? overlap : null;
    }
}
