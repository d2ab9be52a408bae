using OneThing.Edge.Domain.Dwell;
using OneThing.Edge.Domain.Geometry;

namespace OneThing.Edge.Host.Pipeline;

/// <summary>
/// What analysis hands to recording for one frame, in the camera's frame order: the cases it confirmed or saw leave,
/// and the frame's capture time, which advances the clearance deadlines (so replays decide as live operation).
/// </summary>
public sealed record AnalysedFrame(string CameraId, DateTimeOffset CapturedAt, IReadOnlyList<CaseWork> Cases);

/// <summary>One thing recording must do for a frame.</summary>
public abstract record CaseWork;

/// <summary>A confirmed case with the evidence rendered for it and its lane's cooldown at confirmation.</summary>
public sealed record CaseToRecord(ViolationConfirmed Confirmed, HeldEvidence? Evidence, TimeSpan Cooldown) : CaseWork;

/// <summary>The car of engine case <paramref name="EngineCaseId"/> left; last seen in place at <paramref name="LastSeenAt"/>.</summary>
public sealed record CarLeft(Guid EngineCaseId, DateTimeOffset LastSeenAt) : CaseWork;

/// <summary>An annotated evidence image (JPEG) rendered from a frame.</summary>
public sealed record EvidenceFrame(byte[] Jpeg, DateTimeOffset CapturedAt, string Kind, string? LaneId, Box? Box);

/// <summary>Evidence held for a stopped vehicle until its case is confirmed (or dropped when the stop is dismissed).</summary>
public sealed record HeldEvidence(EvidenceFrame? Overview, EvidenceFrame? Confirmation = null, EvidenceFrame? PlateCloseUp = null, float? PlateConfidence = null)
{
    public IEnumerable<EvidenceFrame> Frames => new[] { Overview, Confirmation, PlateCloseUp }.OfType<EvidenceFrame>();
}
