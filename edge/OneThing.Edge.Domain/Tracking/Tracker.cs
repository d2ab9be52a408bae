using OneThing.Edge.Domain.Detections;

namespace OneThing.Edge.Domain.Tracking;

/// <summary>Tracks that went away in an update: not detected for longer than <see cref="TrackerOptions.MaxMissSeconds"/>.</summary>
public sealed record TrackerUpdate(IReadOnlyList<Track> Active, IReadOnlyList<Track> Removed);

/// <summary>
/// Multi-object tracker for one camera: greedy IoU association in two passes (confident detections first, then
/// weak ones may only continue tracks, as ByteTrack does), inertia over misses in capture time, and stationarity.
/// Deterministic: ties are broken by track id and detection order.
/// </summary>
public sealed class Tracker(TrackerOptions? options = null)
{
    private readonly List<Track> _tracks = [];
    private int _nextId = 1;

    public TrackerOptions Options { get; } = options ?? new TrackerOptions();

    public IReadOnlyList<Track> Tracks => _tracks;

    public TrackerUpdate Update(DateTimeOffset capturedAt, IReadOnlyList<VehicleDetection> detections)
    {
        foreach (var track in _tracks)
        {
            track.SeenInLastFrame = false;
        }

        var strong = new List<VehicleDetection>();
        var weak = new List<VehicleDetection>();
        foreach (var d in detections)
        {
            // A degenerate or NaN box matches nothing and would start a new track on every frame.
            if (!(d.Box.Width > 0 && d.Box.Height > 0 && float.IsFinite(d.Box.X1 + d.Box.Y1 + d.Box.X2 + d.Box.Y2)))
            {
                continue;
            }
            if (d.Score >= Options.HighScore)
            {
                strong.Add(d);
            }
            else if (d.Score >= Options.LowScore)
            {
                weak.Add(d);
            }
        }

        var unmatched = new List<Track>(_tracks);
        var leftover = Associate(unmatched, strong, capturedAt);
        Associate(unmatched, weak, capturedAt);
        foreach (var d in leftover)
        {
            _tracks.Add(new Track(_nextId++, d.Box, d.Score, d.Label, capturedAt));
        }

        var removed = new List<Track>();
        _tracks.RemoveAll(t =>
        {
            var gone = capturedAt - t.LastSeenAt > Options.MaxMiss;
            if (gone)
            {
                removed.Add(t);
            }
            return gone;
        });
        return new TrackerUpdate(_tracks.ToArray(), removed);
    }

    /// <summary>Matches detections to the given tracks, removing matched tracks from the list; returns the unmatched detections.</summary>
    private List<VehicleDetection> Associate(List<Track> tracks, List<VehicleDetection> detections, DateTimeOffset at)
    {
        var pairs = new List<(double IoU, int Track, int Detection)>();
        for (var t = 0; t < tracks.Count; t++)
        {
            var track = tracks[t];
            var locked = track.StillFor.TotalSeconds >= Options.StationaryLockSeconds;
            for (var d = 0; d < detections.Count; d++)
            {
                var iou = track.Box.IoU(detections[d].Box);
                if (iou >= Options.IouThreshold && (!locked || track.Agrees(detections[d].Box, Options.StationaryTolerance)))
                {
                    pairs.Add((iou, t, d));
                }
            }
        }
        pairs.Sort((a, b) => b.IoU != a.IoU ? b.IoU.CompareTo(a.IoU) : a.Track != b.Track ? a.Track.CompareTo(b.Track) : a.Detection.CompareTo(b.Detection));

        var trackUsed = new bool[tracks.Count];
        var detectionUsed = new bool[detections.Count];
        foreach (var (_, t, d) in pairs)
        {
            if (trackUsed[t] || detectionUsed[d])
            {
                continue;
            }
            trackUsed[t] = detectionUsed[d] = true;
            var det = detections[d];
            tracks[t].Observe(det.Box, det.Score, det.Label, at, Options.StationaryTolerance);
        }

        var left = new List<VehicleDetection>();
        for (var d = 0; d < detections.Count; d++)
        {
            if (!detectionUsed[d])
            {
                left.Add(detections[d]);
            }
        }
        for (var t = tracks.Count - 1; t >= 0; t--)
        {
            if (trackUsed[t])
            {
                tracks.RemoveAt(t);
            }
        }
        return left;
    }
}
