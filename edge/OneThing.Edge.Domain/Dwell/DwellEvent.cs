using OneThing.Edge.Domain.Geometry;
using OneThing.Edge.Domain.Violations;

namespace OneThing.Edge.Domain.Dwell;

/// <summary>
/// What the pipeline must do after a frame, stamped with that frame's capture time. Boxes are in frame pixels.
/// Within one frame the events come in this order per track: evidence, plate, confirmation.
/// </summary>
public abstract record DwellEvent(DateTimeOffset At);

/// <summary>
/// Keep this frame as evidence: stage 1 when the vehicle is found stopped in the lane (hold it until the case is
/// confirmed, drop it on <see cref="StopDismissed"/> or <see cref="CaseResumed"/> for the same track), stage 2 at
/// confirmation (then <see cref="CaseId"/> is set and a <see cref="ViolationConfirmed"/> follows).
/// </summary>
public sealed record EvidenceNeeded(DateTimeOffset At, int TrackId, int Stage, Box Box, string LaneId, Guid? CaseId = null) : DwellEvent(At);

/// <summary>Read the plate inside <see cref="Box"/> on this frame and hand the result to AddPlateReading. Asked only for stopped vehicles, a few frames apart.</summary>
public sealed record PlateNeeded(DateTimeOffset At, int TrackId, Box Box) : DwellEvent(At);

/// <summary>
/// A case: one parked vehicle in one fire lane, with the one id it keeps everywhere. A null <see cref="Plate"/>
/// means the plate stayed unreadable: route the case to officers instead of an SMS.
/// <see cref="FirstSeenAt"/> is when the vehicle came to a standstill in the lane.
/// </summary>
public sealed record ViolationConfirmed(
    DateTimeOffset At,
    Guid CaseId,
    int TrackId,
    string LaneId,
    string? Plate,
    double PlateConfidence,
    DateTimeOffset FirstSeenAt,
    DateTimeOffset ConfirmedAt,
    Box TrackBox) : DwellEvent(At)
{
    public bool PlateUnreadable => Plate is null;

    /// <summary>The violation to store and forward, once the pipeline has stored the evidence files.</summary>
    public Violation ToViolation(string siteId, string cameraId, IReadOnlyList<EvidenceItem> evidence) =>
        new(CaseId, siteId, LaneId, ViolationSource.Camera, cameraId, null, null, Plate, PlateConfidence, FirstSeenAt, ConfirmedAt, evidence);
}

/// <summary>A stop that ended before confirmation (drop-off, delivery): counted, never a case.</summary>
public sealed record StopDismissed(DateTimeOffset At, int TrackId, string LaneId, TimeSpan Duration) : DwellEvent(At);

/// <summary>
/// The vehicle of a case has not been seen in place for longer than the tracker's inertia (gone or moved away).
/// <see cref="LastSeenAt"/> is its last sighting in place, the best estimate of when it left.
/// </summary>
public sealed record VehicleDeparted(DateTimeOffset At, Guid CaseId, string LaneId, DateTimeOffset LastSeenAt) : DwellEvent(At);

/// <summary>
/// A new track turned out to be the vehicle of an existing case (same position, or same plate in the same lane
/// while the case is open or in cooldown): no new case; drop any evidence held for this track.
/// </summary>
public sealed record CaseResumed(DateTimeOffset At, Guid CaseId, int TrackId, string LaneId, ResumeReason Reason) : DwellEvent(At);

public enum ResumeReason
{
    /// <summary>Stopped where the case's vehicle stands.</summary>
    SamePosition,

    /// <summary>Same plate in the same lane as an open case.</summary>
    SamePlate,

    /// <summary>Same plate in the same lane within the cooldown after the case's vehicle left.</summary>
    Cooldown,
}
