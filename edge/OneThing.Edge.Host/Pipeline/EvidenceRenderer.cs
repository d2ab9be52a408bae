using OneThing.Edge.Domain.Detections;
using OneThing.Edge.Domain.Dwell;
using OneThing.Edge.Domain.Violations;
using OneThing.Edge.Vision;
using OpenCvSharp;

namespace OneThing.Edge.Host.Pipeline;

/// <summary>Renders the evidence images an engine asks for: annotated frames (lanes, the stopped vehicle, time, camera) and the plate close-up.</summary>
public sealed class EvidenceRenderer(Annotator annotator)
{
    /// <summary>Stage 1 is the overview at the stop, stage 2 the confirmation frame.</summary>
    public EvidenceFrame Frame(CameraAnalysis camera, DateTimeOffset capturedAt, Mat mat, IReadOnlyList<VehicleDetection> vehicles, EvidenceNeeded need)
    {
        var lanes = camera.Engine.Lanes.Select(l => new LaneOverlay(l.Id, l.Polygon)).ToList();
        var subject = vehicles.Where(v => v.Box.IoU(need.Box) > 0.3).DefaultIfEmpty(new VehicleDetection(need.Box, 1, "vehicle")).ToList();
        var jpeg = PipelineMetrics.EvidenceSeconds.Timed(() => annotator.Render(mat, new FrameOverlay(camera.Camera.Id, capturedAt, lanes, subject, [])));
        return new EvidenceFrame(jpeg, capturedAt, need.Stage == 1 ? EvidenceKinds.Overview : EvidenceKinds.Confirmation, need.LaneId, need.Box);
    }

    public EvidenceFrame PlateCloseUp(Mat mat, PlateReading reading, DateTimeOffset capturedAt) =>
        new(PipelineMetrics.EvidenceSeconds.Timed(() => annotator.RenderPlateCloseUp(mat, reading)), capturedAt, EvidenceKinds.Plate, null, reading.Box);
}
