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
    /// <summary>A day: the longest stop or confirmation time.</summary>
    public const double MaxSeconds = 86400;

    /// <summary>A week: the longest cooldown.</summary>
    public const double MaxCooldownMinutes = 7 * 24 * 60;

    public TimeSpan StopDuration => TimeSpan.FromSeconds(StopSeconds);
    public TimeSpan ConfirmDuration => TimeSpan.FromSeconds(ConfirmSeconds);
    public TimeSpan Cooldown => TimeSpan.FromMinutes(CooldownMinutes);

    /// <summary>Every problem with this definition as "Field: message" (a point as "Polygon[i]: ..."); empty when valid.</summary>
    public IReadOnlyList<string> Validate() => Problems().Select(p => p.ToString()).ToList();

    /// <summary>
    /// Every problem with this definition, each with the field it concerns; empty when valid. The one place lane rules
    /// live: the engine checks lanes with it, and start-up validation maps the fields to configuration keys.
    /// </summary>
    public IReadOnlyList<LaneProblem> Problems()
    {
        var problems = new List<LaneProblem>();
        if (string.IsNullOrWhiteSpace(Id))
        {
            problems.Add(new(nameof(Id), "must not be empty"));
        }
        if (Polygon is null || Polygon.Count < 3)
        {
            problems.Add(new(nameof(Polygon), $"needs at least 3 points, has {Polygon?.Count ?? 0}"));
        }
        else
        {
            for (var i = 0; i < Polygon.Count; i++)
            {
                var p = Polygon[i];
                if (!(p.X is >= 0 and <= 1) || !(p.Y is >= 0 and <= 1))
                {
                    problems.Add(new(nameof(Polygon), $"point ({p.X}, {p.Y}) is outside 0..1 (coordinates are normalised to the frame)", i));
                }
            }
            if (LanePolygon.FindSelfCrossing(Polygon) is { } crossing)
            {
                problems.Add(new(nameof(Polygon), $"edges {crossing.First} and {crossing.Second} cross each other"));
            }
            else if (Math.Abs(LanePolygon.Area(Polygon)) < 1e-6)
            {
                problems.Add(new(nameof(Polygon), "encloses no area"));
            }
        }
        // Upper bounds catch unit mistakes (minutes typed as seconds): a stop of more than a day is not a stop.
        if (!(StopSeconds is > 0 and <= MaxSeconds))
        {
            problems.Add(new(nameof(StopSeconds), $"must be in (0, {MaxSeconds}], is {StopSeconds}"));
        }
        if (!(ConfirmSeconds is > 0 and <= MaxSeconds))
        {
            problems.Add(new(nameof(ConfirmSeconds), $"must be in (0, {MaxSeconds}], is {ConfirmSeconds}"));
        }
        if (!(CooldownMinutes is > 0 and <= MaxCooldownMinutes))
        {
            problems.Add(new(nameof(CooldownMinutes), $"must be in (0, {MaxCooldownMinutes}], is {CooldownMinutes}"));
        }
        if (!(MinOverlapRatio is >= 0 and <= 1))
        {
            problems.Add(new(nameof(MinOverlapRatio), $"must be within 0..1, is {MinOverlapRatio}"));
        }
        return problems;
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

/// <summary>One thing wrong with a lane: the field, the polygon point when it is about one, and what is wrong.</summary>
public sealed record LaneProblem(string Field, string Message, int? Point = null)
{
    public override string ToString() => Point is { } i ? $"{Field}[{i}]: {Message}" : $"{Field}: {Message}";
}
