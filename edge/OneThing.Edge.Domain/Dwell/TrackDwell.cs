using OneThing.Edge.Domain.Detections;

namespace OneThing.Edge.Domain.Dwell;

public enum DwellState
{
    /// <summary>Not (yet) standing still in a lane long enough.</summary>
    Moving,

    /// <summary>Standing still in a lane for StopSeconds; first evidence taken, waiting for ConfirmSeconds.</summary>
    Stopped,

    /// <summary>Belongs to a case (confirmed here, or recognised as the vehicle of an earlier case).</summary>
    Confirmed,
}

/// <summary>The dwell state of one track. Changed only by the engine, on frames where the track is detected.</summary>
internal sealed class TrackDwell(int trackId)
{
    private readonly List<PlateReading> _readings = [];

    public int TrackId { get; } = trackId;
    public DwellState State { get; private set; } = DwellState.Moving;
    public string? LaneId { get; private set; }

    /// <summary>Start of the still period that led to the stop (the track's StationarySince then).</summary>
    public DateTimeOffset StillSince { get; private set; }

    public DateTimeOffset StoppedAt { get; private set; }

    /// <summary>Last frame the vehicle was seen still in its lane; a dismissed stop lasted from StillSince to here.</summary>
    public DateTimeOffset LastStillAt { get; private set; }

    public Guid? CaseId { get; private set; }
    public IReadOnlyList<PlateReading> Readings => _readings;
    public int PlateRequests { get; private set; }

    /// <summary>Readings before this index were taken before the pre-confirmation check; null until the check was asked for.</summary>
    public int? CheckFrom { get; private set; }

    public DateTimeOffset LastPlateRequestAt { get; private set; }

    public void Stop(string laneId, DateTimeOffset stillSince, DateTimeOffset at)
    {
        State = DwellState.Stopped;
        LaneId = laneId;
        StillSince = stillSince;
        StoppedAt = at;
        LastStillAt = at;
        _readings.Clear();
        PlateRequests = 0;
        CheckFrom = null;
    }

    public void StillAt(DateTimeOffset at) => LastStillAt = at;

    public void PlateRequested(DateTimeOffset at)
    {
        PlateRequests++;
        LastPlateRequestAt = at;
    }

    public void CheckRequested(DateTimeOffset at)
    {
        CheckFrom = _readings.Count;
        LastPlateRequestAt = at;
    }

    public void AddReading(PlateReading reading)
    {
        if (State == DwellState.Stopped)
        {
            _readings.Add(reading);
        }
    }

    public void Attach(Guid caseId, string laneId, DateTimeOffset stillSince, DateTimeOffset at)
    {
        State = DwellState.Confirmed;
        CaseId = caseId;
        LaneId = laneId;
        StillSince = stillSince;
        LastStillAt = at;
    }

    /// <summary>Back to moving: the stop ended, or the case's vehicle drove off.</summary>
    public void Release()
    {
        State = DwellState.Moving;
        CaseId = null;
        LaneId = null;
        _readings.Clear();
    }
}
