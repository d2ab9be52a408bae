using OneThing.Edge.Domain.Geometry;
using OneThing.Edge.Domain.Detections;

namespace OneThing.Edge.Host.Pipeline;

/// <summary>
/// One camera's plate readings kept for reuse while the scene stands still: a stopped car's plate read again on a
/// frame the motion gate carried over (the lane's pixels as they were) gives the same text, so the kept reading is
/// given to the vote instead. Kept only for the same track whose box did not move (IoU at least
/// <see cref="MinIoU"/>), and all are forgotten when the detector runs again (the scene changed or the keep-alive
/// came): a car that left, or another car in its place, is read afresh.
/// </summary>
public sealed class KeptPlateReadings
{
    /// <summary>How much a box may shift and still be the same parked car seen in the same pixels.</summary>
    public const float MinIoU = 0.9f;

    private readonly Dictionary<int, (Box Box, PlateReading Reading)> _kept = [];

    /// <summary>The reading kept for <paramref name="trackId"/> if its box is where it was read; null otherwise.</summary>
    public PlateReading? Find(int trackId, Box box) =>
        _kept.TryGetValue(trackId, out var kept) && kept.Box.IoU(box) >= MinIoU ? kept.Reading : null;

    public void Keep(int trackId, Box box, PlateReading reading) => _kept[trackId] = (box, reading);

    /// <summary>The track's stop ended (confirmed, dismissed, resumed as a case).</summary>
    public void Drop(int trackId) => _kept.Remove(trackId);

    /// <summary>The detector ran: the pixels the readings were taken on may have changed.</summary>
    public void Forget() => _kept.Clear();
}
