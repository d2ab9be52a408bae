using OneThing.Edge.Domain.Detections;
using OneThing.Edge.Domain.Dwell;
using OneThing.Edge.Domain.Geometry;
using OneThing.Edge.Domain.Lanes;
using OneThing.Edge.Domain.Plates;
using OneThing.Edge.Domain.Tracking;

namespace OneThing.Edge.Domain.Engine;

/// <summary>
/// Turns one camera's detections into cases: tracks vehicles, finds the ones standing still in a fire lane, asks
/// for evidence and plate readings, confirms after the dwell time, and keeps one parked car as one case. All time
/// is capture time, so replays and tests decide exactly as live operation. Calls are serialised, so plate
/// readers and configuration reloads may call in from other threads.
/// </summary>
/// <remarks>
/// Per decoded frame the pipeline calls <see cref="Observe"/> and acts on the events in order:
/// <see cref="EvidenceNeeded"/> stage 1 -> keep the annotated frame for that track; <see cref="PlateNeeded"/> -> read
/// the plate in the box and call <see cref="AddPlateReading"/> before the next frame; <see cref="EvidenceNeeded"/>
/// stage 2 + <see cref="ViolationConfirmed"/> -> store both frames and the plate close-up, then the violation
/// (<see cref="ViolationConfirmed.ToViolation"/>) in one transaction; <see cref="StopDismissed"/> or
/// <see cref="CaseResumed"/> -> drop what was kept for that track; <see cref="VehicleDeparted"/> -> tell the
/// case service (the case is cleared or closed). At start, <see cref="RestoreCase"/> each case that is open or in cooldown.
/// </remarks>
public sealed class ViolationEngine
{
    private readonly Lock _gate = new();
    private readonly ViolationEngineOptions _options;
    private readonly Tracker _tracker;
    private readonly PlateSchedule _plates;
    private readonly Dictionary<int, TrackDwell> _dwell = [];
    private readonly CaseBook _cases = new();
    private IReadOnlyList<LaneDefinition> _lanes = [];
    private DateTimeOffset _lastFrameAt = DateTimeOffset.MinValue;
    private long _stopsDismissed, _casesConfirmed, _casesResumed, _framesOutOfOrder;

    public ViolationEngine(string cameraId, IEnumerable<LaneDefinition> lanes, ViolationEngineOptions? options = null)
    {
        CameraId = cameraId;
        _options = options ?? new ViolationEngineOptions();
        _tracker = new Tracker(_options.Tracker);
        _plates = new PlateSchedule(_options);
        UpdateLanes(lanes);
    }

    public string CameraId { get; }
    public IReadOnlyList<LaneDefinition> Lanes => Volatile.Read(ref _lanes);

    /// <summary>Snapshot of the live tracks (for the operator console).</summary>
    public IReadOnlyList<Track> Tracks
    {
        get
        {
            lock (_gate)
            {
                return _tracker.Tracks.ToArray();
            }
        }
    }

    /// <summary>Snapshot of the cases still watched: open ones and departed ones within their cooldown.</summary>
    public IReadOnlyList<ParkingCase> Cases
    {
        get
        {
            lock (_gate)
            {
                return _cases.Snapshot();
            }
        }
    }

    public EngineCounters Counters
    {
        get
        {
            lock (_gate)
            {
                return new(_stopsDismissed, _casesConfirmed, _casesResumed, _cases.Departures, _framesOutOfOrder, _tracker.Tracks.Count, _cases.OpenCount);
            }
        }
    }

    /// <summary>
    /// Swaps lanes and thresholds (configuration reload). Tracks, stops and cases keep their state and timers;
    /// a stop in a lane that no longer contains the vehicle is dismissed on its next detection.
    /// </summary>
    public void UpdateLanes(IEnumerable<LaneDefinition> lanes)
    {
        var list = lanes.ToList();
        var errors = list.SelectMany(l => l.Validate().Select(e => $"lane '{l.Id}' {e}")).ToList();
        errors.AddRange(list.GroupBy(l => l.Id).Where(g => g.Count() > 1).Select(g => $"lane id '{g.Key}' is used twice"));
        if (errors.Count > 0)
        {
            throw new ArgumentException($"Camera '{CameraId}': " + string.Join("; ", errors), nameof(lanes));
        }
        Volatile.Write(ref _lanes, list);
    }

    /// <summary>Feeds one frame's vehicle detections (pixel boxes) and returns what the pipeline must do now.</summary>
    public IReadOnlyList<DwellEvent> Observe(DateTimeOffset capturedAt, int frameWidth, int frameHeight, IReadOnlyList<VehicleDetection> vehicles)
    {
        lock (_gate)
        {
            return ObserveLocked(capturedAt, frameWidth, frameHeight, vehicles);
        }
    }

    /// <summary>
    /// Seeds a case kept in storage after a restart, so a car still parked is recognised (by position or plate)
    /// instead of cited again, and a plate that left keeps its cooldown. An open case counts as seen in place at
    /// the first frame after the restore, giving the car the tracker's inertia to be found again.
    /// </summary>
    public void RestoreCase(Guid caseId, string laneId, string? plate, Box box, DateTimeOffset confirmedAt, DateTimeOffset lastSeenAt, bool departed)
    {
        lock (_gate)
        {
            var cooldown = Volatile.Read(ref _lanes).FirstOrDefault(l => l.Id == laneId)?.Cooldown ?? TimeSpan.Zero;
            _cases.Restore(caseId, laneId, plate, box, confirmedAt, cooldown, lastSeenAt, departed);
        }
    }

    /// <summary>A plate read for a stopped track (after <see cref="PlateNeeded"/>); readings for other tracks are ignored.</summary>
    public void AddPlateReading(int trackId, PlateReading reading)
    {
        lock (_gate)
        {
            if (_dwell.TryGetValue(trackId, out var dwell))
            {
                dwell.AddReading(reading);
            }
        }
    }

    private List<DwellEvent> ObserveLocked(DateTimeOffset capturedAt, int frameWidth, int frameHeight, IReadOnlyList<VehicleDetection> vehicles)
    {
        // One lane set for the whole frame, even if a reload lands meanwhile.
        var lanes = Volatile.Read(ref _lanes);
        if (capturedAt < _lastFrameAt)
        {
            // A late frame would make time run backwards for every timer.
            _framesOutOfOrder++;
            return [];
        }
        _lastFrameAt = capturedAt;

        _cases.FirstFrame(capturedAt);
        var events = new List<DwellEvent>();
        var update = _tracker.Update(capturedAt, vehicles);
        foreach (var gone in update.Removed)
        {
            if (_dwell.Remove(gone.Id, out var dwell) && dwell.State == DwellState.Stopped)
            {
                Dismiss(dwell, capturedAt, events);
            }
        }

        foreach (var track in update.Active)
        {
            if (!_dwell.TryGetValue(track.Id, out var dwell))
            {
                _dwell[track.Id] = dwell = new TrackDwell(track.Id);
            }
            // Inertia: a vehicle the detector missed keeps its state; nothing is decided on a frame without it.
            if (track.SeenInLastFrame)
            {
                Step(track, dwell, VehicleLane.Of(lanes, track.Box, dwell.LaneId, frameWidth, frameHeight), capturedAt, events);
            }
        }

        _cases.ReportDepartures(capturedAt, _tracker.Options.MaxMiss, events);
        return events;
    }

    private void Step(Track track, TrackDwell dwell, LaneDefinition? lane, DateTimeOffset at, List<DwellEvent> events)
    {
        switch (dwell.State)
        {
            case DwellState.Moving:
                if (lane is not null && track.StillFor >= lane.StopDuration)
                {
                    StopOrResume(track, dwell, lane, at, events);
                }
                break;

            case DwellState.Stopped:
                if (lane is null || lane.Id != dwell.LaneId || track.StationarySince > dwell.StillSince)
                {
                    Dismiss(dwell, at, events);
                    break;
                }
                dwell.StillAt(at);
                var verdict = _plates.Vote(dwell);
                if (_cases.ByPlate(lane.Id, verdict.Text, at) is { } known)
                {
                    Resume(track, dwell, known, known.Departed ? ResumeReason.Cooldown : ResumeReason.SamePlate, at, events);
                }
                else if (_plates.CheckDue(dwell, at, ConfirmAt(dwell, lane)))
                {
                    // Never confirm on the frame that asks for the check: its reading arrives before the next frame.
                    dwell.CheckRequested(at);
                    events.Add(new PlateNeeded(at, track.Id, track.Box));
                }
                else if (at >= ConfirmAt(dwell, lane))
                {
                    if (_plates.IsAnotherVehicle(dwell))
                    {
                        Dismiss(dwell, at, events);
                        StopOrResume(track, dwell, lane, at, events, stillSince: at);
                    }
                    else
                    {
                        Confirm(track, dwell, lane, verdict, at, events);
                    }
                }
                else
                {
                    RequestPlate(track, dwell, at, events);
                }
                break;

            case DwellState.Confirmed:
                if (track.StationarySince > dwell.StillSince)
                {
                    // Drove off: the case stops being refreshed and departs after the inertia.
                    dwell.Release();
                    break;
                }
                dwell.StillAt(at);
                if (dwell.CaseId is { } caseId)
                {
                    _cases.SeenInPlace(caseId, track.Box, lane, at);
                }
                break;
        }
    }

    private DateTimeOffset ConfirmAt(TrackDwell dwell, LaneDefinition lane) =>
        dwell.StoppedAt + TimeSpan.FromSeconds(Math.Max(lane.ConfirmSeconds, _options.MinEvidenceGapSeconds));

    /// <param name="stillSince">Start of the stop; later than the track's own still period when the stop starts over on a swapped vehicle.</param>
    private void StopOrResume(Track track, TrackDwell dwell, LaneDefinition lane, DateTimeOffset at, List<DwellEvent> events, DateTimeOffset? stillSince = null)
    {
        if (_cases.AtPosition(lane.Id, track.Box, _options.ReidentifyIoU) is { } samePlace)
        {
            Resume(track, dwell, samePlace, ResumeReason.SamePosition, at, events);
            return;
        }
        dwell.Stop(lane.Id, stillSince ?? track.StationarySince, at);
        events.Add(new EvidenceNeeded(at, track.Id, 1, track.Box, lane.Id));
        RequestPlate(track, dwell, at, events);
    }

    private void RequestPlate(Track track, TrackDwell dwell, DateTimeOffset at, List<DwellEvent> events)
    {
        if (_plates.RequestDue(dwell, at))
        {
            dwell.PlateRequested(at);
            events.Add(new PlateNeeded(at, track.Id, track.Box));
        }
    }

    private void Confirm(Track track, TrackDwell dwell, LaneDefinition lane, PlateVerdict verdict, DateTimeOffset at, List<DwellEvent> events)
    {
        var id = _options.NewCaseId?.Invoke(at) ?? Guid.CreateVersion7(at);
        var confirmed = new ParkingCase(id, lane.Id, verdict.Text, track.Box, at, lane.Cooldown);
        _cases.Add(confirmed);
        _casesConfirmed++;
        var firstSeenAt = dwell.StillSince;
        dwell.Attach(id, lane.Id, track.StationarySince, at);
        events.Add(new EvidenceNeeded(at, track.Id, 2, track.Box, lane.Id, id));
        events.Add(new ViolationConfirmed(at, id, track.Id, lane.Id, verdict.Text, verdict.Confidence, firstSeenAt, at, track.Box));
    }

    private void Resume(Track track, TrackDwell dwell, ParkingCase known, ResumeReason reason, DateTimeOffset at, List<DwellEvent> events)
    {
        dwell.Attach(known.Id, known.LaneId, track.StationarySince, at);
        known.LastSeenInPlaceAt = at;
        known.Box = track.Box;
        _casesResumed++;
        events.Add(new CaseResumed(at, known.Id, track.Id, known.LaneId, reason));
    }

    private void Dismiss(TrackDwell dwell, DateTimeOffset at, List<DwellEvent> events)
    {
        _stopsDismissed++;
        events.Add(new StopDismissed(at, dwell.TrackId, dwell.LaneId!, dwell.LastStillAt - dwell.StillSince));
        dwell.Release();
    }
}
