using Microsoft.Extensions.Options;
using OneThing.Edge.Domain.Detections;
using OneThing.Edge.Domain.Dwell;
using OneThing.Edge.Domain.Geometry;
using OneThing.Edge.Domain.Violations;
using OneThing.Edge.Vision;
using OpenCvSharp;

namespace OneThing.Edge.Host.Pipeline;

/// <summary>An evidence image rendered twice (JPEG): the original kept on the gateway, the redacted copy for the traffic system.</summary>
public sealed record RenderedEvidence(byte[] Original, byte[] Redacted);

/// <summary>
/// Evidence images in two steps. Analysis keeps each frame (or plate close-up) as taken, with what to draw on it.
/// Recording, once the case and its plate are known, renders each twice: the original, and the copy that leaves the
/// site with people and every other car's plate pixelated (<see cref="EvidenceRedactor"/>). Both get the lanes and
/// the cited vehicle drawn and a caption in Chinese: time, place (site and lane), camera, plate.
/// </summary>
public sealed class EvidenceRenderer(Annotator annotator, EvidenceRedactor redactor, CaptionFont font, IOptions<EvidenceOptions> options)
{
    private const int TakenQuality = 95;
    private const int FrameQuality = 90;
    private const int CloseUpQuality = 95;

    /// <summary>Close-ups narrower than this are enlarged (by a whole factor) so their caption stays legible.</summary>
    private const int MinCloseUpWidth = 480;

    /// <summary>
    /// Stage 1 is the overview at the stop, stage 2 the confirmation frame: each kept as the camera's own bytes (a copy:
    /// the frame's buffer goes back to the pool after analysis), neither decoded for this nor encoded again.
    /// </summary>
    /// <param name="image">The frame as the camera sent it, without anything after its end-of-image marker.</param>
    /// <param name="people">The frame's people when the detector ran on it; null when its vehicles were carried over.</param>
    /// <param name="plates">The frame's plates when a plate read searched the whole frame; null when none did.</param>
    public EvidenceFrame Frame(
        CameraAnalysis camera, DateTimeOffset capturedAt, ReadOnlySpan<byte> image, IReadOnlyList<VehicleDetection> vehicles, IReadOnlyList<Box>? people, IReadOnlyList<PlateDetection>? plates, EvidenceNeeded need)
    {
        var lanes = camera.Engine.Lanes.Select(l => new LaneOverlay(l.Id, l.Polygon)).ToList();
        var subject = vehicles.Where(v => v.Box.IoU(need.Box) > 0.3).DefaultIfEmpty(new VehicleDetection(need.Box, 1, "vehicle")).ToList();
        return new EvidenceFrame(image.ToArray(), capturedAt, need.Stage == 1 ? EvidenceKinds.Overview : EvidenceKinds.Confirmation, need.LaneId, need.Box, need.Box,
            new FrameOverlay(camera.Camera.Id, capturedAt, lanes, subject, []), people, plates);
    }

    /// <param name="people">The frame's people when the detector ran on it (frame pixels); null when not known.</param>
    public EvidenceFrame PlateCloseUp(Mat mat, PlateReading reading, DateTimeOffset capturedAt, IReadOnlyList<Box>? people)
    {
        var region = Annotator.CloseUpRegion(mat, reading.Box);
        using var crop = new Mat(mat, region);
        var jpeg = PipelineMetrics.EvidenceSeconds.Timed(() => Annotator.Encode(crop, TakenQuality));
        Box InCrop(Box b) => new(b.X1 - region.X, b.Y1 - region.Y, b.X2 - region.X, b.Y2 - region.Y);
        var inCrop = people?.Where(p => p.X2 > region.Left && p.X1 < region.Right && p.Y2 > region.Top && p.Y1 < region.Bottom).Select(InCrop).ToList();
        return new EvidenceFrame(jpeg, capturedAt, EvidenceKinds.Plate, null, reading.Box, InCrop(reading.Box), null, inCrop);
    }

    /// <summary>The original and the redacted copy of <paramref name="taken"/>, annotated and captioned.</summary>
    public RenderedEvidence Render(EvidenceFrame taken, EvidenceCaption caption) => PipelineMetrics.EvidenceSeconds.Timed(() =>
    {
        ArgumentNullException.ThrowIfNull(taken);
        ArgumentNullException.ThrowIfNull(caption);
        // As the analysis saw it: a camera frame keeps the sensor's orientation even when tagged otherwise (FrameDecoder).
        using var image = Cv2.ImDecode(taken.Image, ImreadModes.Color | ImreadModes.IgnoreOrientation);
        using var redaction = redactor.Redact(image, taken.Cited, taken.People, taken.Plates);
        var fields = caption.Fields(options.Value.UtcOffset);
        return new RenderedEvidence(Finish(image, taken.Overlay, fields), Finish(redaction.Image, taken.Overlay, fields));
    });

    private byte[] Finish(Mat image, FrameOverlay? overlay, IReadOnlyList<string> fields)
    {
        if (overlay is null)
        {
            var factor = (MinCloseUpWidth + image.Width - 1) / image.Width;
            using var closeUp = image.Resize(new Size(image.Width * factor, image.Height * factor), 0, 0, InterpolationFlags.Cubic);
            using var captionedCloseUp = font.WithCaption(closeUp, fields);
            return Annotator.Encode(captionedCloseUp, CloseUpQuality);
        }
        using var canvas = image.Clone();
        annotator.Draw(canvas, overlay);
        using var captioned = font.WithCaption(canvas, fields);
        return Annotator.Encode(captioned, FrameQuality);
    }
}
