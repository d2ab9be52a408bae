using OneThing.Edge.Domain.Geometry;

namespace OneThing.Edge.Domain.Tracking;

/// <summary>One vehicle followed across the frames of one camera.</summary>
public sealed class Track
{
    internal Track(int id, Box box, float score, string label, DateTimeOffset at)
    {
        Id = id;
        Box = box;
        Anchor = box;
        Score = score;
        Label = label;
        FirstSeenAt = at;
        LastSeenAt = at;
        StationarySince = at;
        SeenInLastFrame = true;
        Hits = 1;
    }

    public int Id { get; }

    /// <summary>The last detected box (kept unchanged while the detector misses the vehicle).</summary>
    public Box Box { get; private set; }

    /// <summary>The box at the start of the current still period; stationarity is measured against it, not frame to frame, so slow creeping is noticed.</summary>
    public Box Anchor { get; private set; }

    public float Score { get; private set; }
    public string Label { get; private set; }
    public DateTimeOffset FirstSeenAt { get; }
    public DateTimeOffset LastSeenAt { get; private set; }

    /// <summary>Capture time of the first detection of the current still period.</summary>
    public DateTimeOffset StationarySince { get; private set; }

    /// <summary>Whether the latest frame given to the tracker had a detection for this track.</summary>
    public bool SeenInLastFrame { get; internal set; }

    public int Hits { get; private set; }

    /// <summary>How long the vehicle has stood still as of its last detection.</summary>
    public TimeSpan StillFor => LastSeenAt - StationarySince;

    internal bool Agrees(Box box, double tolerance)
    {
        var w = Math.Max(1e-3f, Anchor.Width);
        var h = Math.Max(1e-3f, Anchor.Height);
        return Math.Abs(box.Center.X - Anchor.Center.X) <= tolerance * w
            && Math.Abs(box.Center.Y - Anchor.Center.Y) <= tolerance * h
            && Math.Abs(box.Width / w - 1) <= tolerance
            && Math.Abs(box.Height / h - 1) <= tolerance;
    }

    internal void Observe(Box box, float score, string label, DateTimeOffset at, double tolerance)
    {
        if (!Agrees(box, tolerance))
        {
            Anchor = box;
            StationarySince = at;
        }
        Box = box;
        Score = score;
        Label = label;
        LastSeenAt = at;
        SeenInLastFrame = true;
        Hits++;
    }
}
