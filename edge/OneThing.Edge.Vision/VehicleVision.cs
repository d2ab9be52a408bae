using OneThing.Edge.Domain.Detections;
using OneThing.Edge.Domain.Geometry;
using OpenCvSharp;
using Microsoft.Extensions.Options;

namespace OneThing.Edge.Vision;

/// <summary>A vehicle and the plate read on it, if any.</summary>
public sealed record VehicleObservation(VehicleDetection Vehicle, PlateReading? Plate);

/// <summary>Everything vision saw in one frame: vehicles with their plates, and plates found without a vehicle.</summary>
public sealed record FrameAnalysis(int Width, int Height, IReadOnlyList<VehicleObservation> Vehicles, IReadOnlyList<PlateReading> UnattachedPlates)
{
    public IEnumerable<PlateReading> AllPlates => Vehicles.Select(v => v.Plate).OfType<PlateReading>().Concat(UnattachedPlates);
}

/// <summary>
/// The calls the pipeline makes: vehicles in a frame, the plate of one vehicle, plates in the whole frame.
/// Thread-safe; share one instance among all inference workers.
/// </summary>
public sealed class VehicleVision(
    IVehicleDetector vehicles, PlateDetector plates, PlateReader reader, PlateColorClassifier colors, IOptions<VisionOptions> options)
{
    private readonly float _margin = options.Value.Plate.VehicleMargin;

    public IReadOnlyList<VehicleDetection> DetectVehicles(Mat frame) => vehicles.Detect(frame);

    /// <summary>
    /// Searches the vehicle box grown by the margin for plates and reads the best one whose centre lies in the
    /// vehicle (a neighbour's plate can reach into the grown box). Null when none is found.
    /// </summary>
    public PlateReading? ReadPlate(Mat frame, Box vehicle)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var region = vehicle.Expand(_margin).ClampTo(frame.Width, frame.Height);
        var rect = new Rect((int)region.X1, (int)region.Y1, (int)(region.X2 - (int)region.X1), (int)(region.Y2 - (int)region.Y1));
        if (rect.Width < 8 || rect.Height < 8)
        {
            return null;
        }
        IReadOnlyList<PlateDetection> found;
        using (var crop = new Mat(frame, rect))
        {
            found = plates.Detect(crop);
        }
        var best = found
            .Select(p => p.Offset(rect.X, rect.Y))
            .OrderByDescending(p => Contains(vehicle, p.Box.Center))
            .ThenByDescending(p => p.Score)
            .FirstOrDefault();
        return best is null ? null : Read(frame, best);
    }

    /// <summary>Every plate in the whole frame: the fallback when no vehicle is found (close-ups fill the frame).</summary>
    public IReadOnlyList<PlateReading> ReadPlates(Mat frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        return [.. plates.Detect(frame).Select(p => Read(frame, p))];
    }

    /// <summary>Vehicles, a plate per vehicle, and the full-frame plate search when there is no vehicle.</summary>
    public FrameAnalysis Analyze(Mat frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var found = DetectVehicles(frame);
        var observed = found.Select(v => new VehicleObservation(v, ReadPlate(frame, v.Box))).ToList();
        var unattached = observed.Count == 0 ? ReadPlates(frame) : [];
        return new FrameAnalysis(frame.Width, frame.Height, observed, unattached);
    }

    /// <summary>Rectify, merge a double-layer plate to one line, read, classify the colour.</summary>
    public PlateReading Read(Mat frame, PlateDetection plate)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ArgumentNullException.ThrowIfNull(plate);
        using var rectified = PlateRectifier.Rectify(frame, plate.Corners);
        PlateTextReading text;
        if (plate.DoubleLayer)
        {
            using var line = PlateRectifier.MergeDoubleLayer(rectified);
            text = reader.Read(line);
        }
        else
        {
            text = reader.Read(rectified);
        }
        var color = colors.Classify(rectified);
        return new PlateReading(text.Text, text.Confidence, text.IsValid, plate.Box, plate.Corners, plate.Score, plate.DoubleLayer, color);
    }

    private static bool Contains(Box b, PointF p) => p.X >= b.X1 && p.X <= b.X2 && p.Y >= b.Y1 && p.Y <= b.Y2;
}
