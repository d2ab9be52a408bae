using OneThing.Edge.Domain.Dwell;
using OneThing.Edge.Domain.Geometry;
using OneThing.Edge.Vision;

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

/// <summary>
/// An evidence image as taken (not annotated: a frame as the camera sent it, JPEG or PNG, or a plate close-up encoded
/// from it), held until its case is confirmed
/// and rendered by <see cref="EvidenceRenderer.Render"/>. <paramref name="Box"/> is the vehicle or plate in frame
/// pixels (for the manifest); <paramref name="Cited"/> the cited vehicle or plate in this image's pixels (its plate
/// is the one not redacted); <paramref name="Overlay"/> what to draw on a frame (null on a close-up);
/// <paramref name="People"/> the people in this image's pixels when the detector ran on its frame (null: redaction
/// looks for them); <paramref name="Plates"/> the plates the analysis found searching this very image whole (null:
/// redaction looks for them; a close-up is a crop the analysis never searched as such).
/// </summary>
public sealed record EvidenceFrame(
    byte[] Image, DateTimeOffset CapturedAt, string Kind, string? LaneId, Box? Box, Box Cited, FrameOverlay? Overlay,
    IReadOnlyList<Box>? People = null, IReadOnlyList<PlateDetection>? Plates = null);

/// <summary>Evidence held for a stopped vehicle until its case is confirmed (or dropped when the stop is dismissed).</summary>
public sealed record HeldEvidence(EvidenceFrame? Overview, EvidenceFrame? Confirmation = null, EvidenceFrame? PlateCloseUp = null, float? PlateConfidence = null)
{
    public IEnumerable<EvidenceFrame> Frames => new[] { Overview, Confirmation, PlateCloseUp }.OfType<EvidenceFrame>();
}
