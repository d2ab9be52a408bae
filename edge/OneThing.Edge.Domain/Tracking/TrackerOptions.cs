namespace OneThing.Edge.Domain.Tracking;

/// <summary>Association and inertia settings of a <see cref="Tracker"/>; durations are capture time.</summary>
public sealed record TrackerOptions
{
    /// <summary>Minimum IoU for a detection to continue a track.</summary>
    public double IouThreshold { get; init; } = 0.3;

    /// <summary>Detections at or above this score may start tracks; lower ones (down to <see cref="LowScore"/>) only continue them (ByteTrack).</summary>
    public float HighScore { get; init; } = 0.5f;

    public float LowScore { get; init; } = 0.1f;

    /// <summary>How long a track survives without detections (misses, night frames, occlusion) before it is dropped.</summary>
    public double MaxMissSeconds { get; init; } = 30;

    /// <summary>How far centre and size may wander, as a share of the box size, while the vehicle still counts as standing still.</summary>
    public double StationaryTolerance { get; init; } = 0.15;

    /// <summary>
    /// After standing still this long a track only accepts detections that agree with its parked position, so a
    /// passing car or a partial box cannot drag it away.
    /// </summary>
    public double StationaryLockSeconds { get; init; } = 5;

    public TimeSpan MaxMiss => TimeSpan.FromSeconds(MaxMissSeconds);
}
