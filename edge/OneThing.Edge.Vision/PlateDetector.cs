using Microsoft.Extensions.Options;
using OneThing.Edge.Domain.Geometry;
using OpenCvSharp;

namespace OneThing.Edge.Vision;

/// <summary>A plate found by the detector: box and corners (TL, TR, BR, BL) in the searched image's pixels.</summary>
public sealed record PlateDetection(Box Box, IReadOnlyList<PointF> Corners, float Score, bool DoubleLayer)
{
    public PlateDetection Offset(float dx, float dy) =>
        new(new Box(Box.X1 + dx, Box.Y1 + dy, Box.X2 + dx, Box.Y2 + dy),
            [.. Corners.Select(c => new PointF(c.X + dx, c.Y + dy))], Score, DoubleLayer);
}

/// <summary>Finds plates in a BGR image; implementations are thread-safe singletons.</summary>
public interface IPlateDetector
{
    /// <summary>Plates in <paramref name="image"/> (a frame or a ROI of one) scoring at least MinScore, best first.</summary>
    IReadOnlyList<PlateDetection> Detect(Mat image);
}

/// <summary>
/// HyperLPR3 y5fu plate detector: centred black letterbox, RGB / 255; the graph already decodes rows to
/// <c>[cx, cy, w, h, obj, 4 corners, p_single, p_double]</c> in input pixels.
/// </summary>
public sealed class PlateDetector : IPlateDetector, IDisposable
{
    private const int RowLength = 15;
    private readonly PlateDetectorOptions _options;
    private readonly OnnxModel _model;

    public PlateDetector(IOptions<VisionOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var o = options.Value;
        _options = o.Plate;
        var size = _options.InputSize;
        var rows = 3 * ((size / 8) * (size / 8) + (size / 16) * (size / 16) + (size / 32) * (size / 32));
        _model = new OnnxModel(o.ModelPath(_options.Model), o.IntraOpNumThreads, o.Workers,
            [1, 3, size, size], [1, rows, RowLength]);
    }

    public IReadOnlyList<PlateDetection> Detect(Mat image)
    {
        ModelWorkspace.RequireBgr(image);
        var size = _options.InputSize;
        var ws = _model.Rent();
        try
        {
            var lb = Letterbox.Centered(image.Width, image.Height, size, size);
            ws.Canvas.Create(size, size, MatType.CV_8UC3);
            ws.Canvas.SetTo(Scalar.All(0));
            using (var roi = new Mat(ws.Canvas, new Rect(lb.PadLeft, lb.PadTop, lb.ResizedWidth, lb.ResizedHeight)))
            {
                Cv2.Resize(image, roi, new Size(lb.ResizedWidth, lb.ResizedHeight), 0, 0, InterpolationFlags.Linear);
            }
            ws.FillInput(ws.Canvas, 1 / 255.0, 0, rgb: true);
            _model.Run(ws);
            return Decode(ws.Output, lb, image.Width, image.Height, _options.ObjectnessThreshold, _options.NmsIoU, _options.MinScore);
        }
        finally
        {
            _model.Return(ws);
        }
    }

    /// <summary>Threshold on objectness, class-agnostic NMS, keep score >= minScore, undo the letterbox.</summary>
    public static List<PlateDetection> Decode(
        ReadOnlySpan<float> output, Letterbox letterbox, int imageWidth, int imageHeight,
        float objectnessThreshold, float nmsIoU, float minScore)
    {
        var candidates = new List<PlateDetection>();
        for (var i = 0; i + RowLength <= output.Length; i += RowLength)
        {
            var r = output.Slice(i, RowLength);
            var obj = r[4];
            if (obj <= objectnessThreshold)
            {
                continue;
            }
            var single = r[13] * obj;
            var dbl = r[14] * obj;
            var score = Math.Max(single, dbl);
            var box = letterbox.ToImage(new Box(r[0] - r[2] / 2, r[1] - r[3] / 2, r[0] + r[2] / 2, r[1] + r[3] / 2))
                .ClampTo(imageWidth, imageHeight);
            PointF[] corners =
            [
                letterbox.ToImage(new PointF(r[5], r[6])), letterbox.ToImage(new PointF(r[7], r[8])),
                letterbox.ToImage(new PointF(r[9], r[10])), letterbox.ToImage(new PointF(r[11], r[12])),
            ];
            candidates.Add(new PlateDetection(box, corners, score, dbl > single));
        }
        var kept = NonMaxSuppression.Apply(candidates, p => p.Box, p => p.Score, nmsIoU);
        kept.RemoveAll(p => p.Score < minScore || p.Box.Area <= 0);
        return kept;
    }

    public void Dispose() => _model.Dispose();
}
