using OneThing.Edge.Domain.Dwell;
using OneThing.Edge.Domain.Geometry;
using OneThing.Edge.Domain.Lanes;

namespace OneThing.Edge.Domain.Engine;

/// <summary>
/// The cases one camera still follows: open ones, and departed ones through the cooldown for their plate. It finds
/// the vehicle of an earlier case again, by position or plate, so one parked car stays one case. Not thread-safe:
/// the engine calls it under its lock.
/// </summary>
internal sealed class CaseBook
{
    private readonly List<ParkingCase> _cases = [];

    public long Departures { get; private set; }

    public int OpenCount => _cases.Count(c => !c.Departed);

    public IReadOnlyList<ParkingCase> Snapshot() => _cases.ToArray();

    public ParkingCase? Find(Guid caseId) => _cases.Find(c => c.Id == caseId);

    public void Add(ParkingCase watched) => _cases.Add(watched);

    /// <summary>A case kept in storage; one already watched stays as it is. An open one waits for the first frame.</summary>
    public void Restore(Guid caseId, string laneId, string? plate, Box box, DateTimeOffset confirmedAt, TimeSpan cooldown, DateTimeOffset lastSeenAt, bool departed)
    {
        if (Find(caseId) is null)
        {
            _cases.Add(new ParkingCase(caseId, laneId, plate, box, confirmedAt, cooldown)
            {
                LastSeenInPlaceAt = lastSeenAt,
                Departed = departed,
                AwaitingFirstFrame = !departed,
            });
        }
    }

    /// <summary>Restored open cases count as seen in place at the first frame after the restore.</summary>
    public void FirstFrame(DateTimeOffset at)
    {
        foreach (var restored in _cases.Where(c => c.AwaitingFirstFrame))
        {
            restored.LastSeenInPlaceAt = at;
            restored.AwaitingFirstFrame = false;
        }
    }

    /// <summary>The case's vehicle still in place; it takes its lane's cooldown after a reload, unless it now sits in another lane.</summary>
    public void SeenInPlace(Guid caseId, Box box, LaneDefinition? lane, DateTimeOffset at)
    {
        if (Find(caseId) is { } open)
        {
            open.LastSeenInPlaceAt = at;
            open.Box = box;
            if (lane is not null && lane.Id == open.LaneId)
            {
                open.Cooldown = lane.Cooldown;
            }
        }
    }

    /// <summary>An open case in the lane whose box the vehicle overlaps enough to be its vehicle (a broken track).</summary>
    public ParkingCase? AtPosition(string laneId, Box box, double minIoU) =>
        _cases.Find(c => !c.Departed && c.LaneId == laneId && c.Box.IoU(box) >= minIoU);

    /// <summary>A case for this plate in the lane that is still open or within its cooldown.</summary>
    public ParkingCase? ByPlate(string laneId, string? plate, DateTimeOffset at) =>
        plate is null ? null : _cases.Find(c => c.LaneId == laneId && c.Plate == plate && at < c.CooldownEndsAt);

    /// <summary>Departs the cases not seen in place for longer than the tracker's inertia; forgets them after their cooldown.</summary>
    public void ReportDepartures(DateTimeOffset at, TimeSpan maxMiss, List<DwellEvent> events)
    {
        foreach (var open in _cases)
        {
            if (!open.Departed && at - open.LastSeenInPlaceAt > maxMiss)
            {
                open.Departed = true;
                Departures++;
                events.Add(new VehicleDeparted(at, open.Id, open.LaneId, open.LastSeenInPlaceAt));
            }
        }
        _cases.RemoveAll(c => c.Departed && at >= c.CooldownEndsAt);
    }
}
