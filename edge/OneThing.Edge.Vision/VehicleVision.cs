using OneThing.Edge.Domain.Detections;
using OneThing.Edge.Domain.Geometry;
using Microsoft.Extensions.Options;
using OpenCvSharp;

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
    IVehicleDetector vehicles, IPlateDetector plates, PlateReader reader, PlateColorClassifier colors, IOptions<VisionOptions> options)
{
    private readonly float _margin = options.Value.Plate.VehicleMargin;

    public IReadOnlyList<VehicleDetection> DetectVehicles(Mat frame) => vehicles.Detect(frame);

    /// <summary>Vehicles and people from one detector run (people are what evidence redacts).</summary>
    public SceneDetections DetectVehiclesAndPeople(Mat frame) => vehicles.DetectWithPeople(frame);

    /// <summary>
    /// Reads the plate of one vehicle: searches the vehicle box grown by the margin and takes the best plate whose
    /// centre lies in the vehicle (a neighbour's plate can reach into the grown box). When that finds no valid
    /// plate (the crop cut the bumper, or the car fills the frame), the whole frame is searched and a plate inside
    /// the vehicle is taken instead. Null when no plate is found.
    /// </summary>
    public PlateReading? ReadPlate(Mat frame, Box vehicle) => PlatesIn(frame).Read(vehicle);

    /// <summary>Plate reads for several vehicles of one frame: the full-frame search, when needed, runs once for all.</summary>
    public FramePlates PlatesIn(Mat frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        return new FramePlates(this, frame, new Lazy<IReadOnlyList<PlateDetection>>(() => plates.Detect(frame)));
    }

    /// <summary>The plate reads of one frame (see <see cref="PlatesIn"/>); valid while the frame is.</summary>
    public sealed class FramePlates
    {
        private readonly VehicleVision _vision;
        private readonly Mat _frame;
        private readonly Lazy<IReadOnlyList<PlateDetection>> _fullFrame;

        internal FramePlates(VehicleVision vision, Mat frame, Lazy<IReadOnlyList<PlateDetection>> fullFrame) =>
            (_vision, _frame, _fullFrame) = (vision, frame, fullFrame);

        public PlateReading? Read(Box vehicle) => _vision.ReadPlate(_frame, vehicle, _fullFrame);

        /// <summary>The whole frame's plates if a read has searched it so far; null if none needed to.</summary>
        public IReadOnlyList<PlateDetection>? WholeFrameIfSearched => _fullFrame.IsValueCreated ? _fullFrame.Value : null;
    }

    private PlateReading? ReadPlate(Mat frame, Box vehicle, Lazy<IReadOnlyList<PlateDetection>> fullFrame)
    {
        var fromCrop = BestInside(vehicle, DetectAround(frame, vehicle)) is { } p ? Read(frame, p) : null;
        if (fromCrop is { IsValid: true })
        {
            return fromCrop;
        }
        var fromFrame = BestInside(vehicle, fullFrame.Value) is { } q ? Read(frame, q) : null;
        // A valid reading wins; otherwise whatever was found, the crop's first.
        return fromFrame is { IsValid: true } ? fromFrame : fromCrop ?? fromFrame;
    }

    /// <summary>Every plate in the whole frame: the fallback when no vehicle is found (close-ups fill the frame).</summary>
    public IReadOnlyList<PlateReading> ReadPlates(Mat frame) => [.. DetectPlates(frame).Select(p => Read(frame, p))];

    /// <summary>The whole frame's plates as found, unread: read each with <see cref="Read"/>; redaction takes them as they are.</summary>
    public IReadOnlyList<PlateDetection> DetectPlates(Mat frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        return plates.Detect(frame);
    }

    /// <summary>
    /// Vehicles with a plate each, plus the plates of the full-frame search that lie in no vehicle box. The full
    /// frame is searched (once) only when a vehicle has no valid plate or there is no vehicle: on close-ups the car
    /// fills the frame and the vehicle detector often misses it or finds only a car behind it.
    /// </summary>
    public FrameAnalysis Analyze(Mat frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var fullFrame = new Lazy<IReadOnlyList<PlateDetection>>(() => plates.Detect(frame));
        var found = DetectVehicles(frame);
        var observed = found.Select(v => new VehicleObservation(v, ReadPlate(frame, v.Box, fullFrame))).ToList();
        if (observed.Count > 0 && observed.All(o => o.Plate is { IsValid: true }))
        {
            return new FrameAnalysis(frame.Width, frame.Height, observed, []);
        }
        var unattached = fullFrame.Value
            .Where(p => !found.Any(v => Contains(v.Box, p.Box.Center)))
            .Select(p => Read(frame, p))
            .ToList();
        return new FrameAnalysis(frame.Width, frame.Height, observed, unattached);
    }

    /// <summary>Rectify, classify the colour, read in the plate's layout (two lines read apart on a double-layer plate).</summary>
    public PlateReading Read(Mat frame, PlateDetection plate)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ArgumentNullException.ThrowIfNull(plate);
        using var rectified = PlateRectifier.Rectify(frame, plate.Corners);
        var color = colors.Classify(rectified);
        var text = reader.ReadPlate(rectified, plate.DoubleLayer, color);
        var (box, corners) = (plate.Box, plate.Corners);
        if (!text.IsValid && color == "yellow" && Serial(text) is { } serial)
        {
            // On a yellow double-layer plate the detector may box the serial's line alone, or cut the top rows of
            // the upper line: read the box grown up (PlateLayout.UpperLineGrowths) as two lines, and keep the surest
            // reading whose serial is the one already read (what lies above a one-line plate must not make up a
            // province and letter).
            foreach (var above in PlateLayout.UpperLineGrowths(serialAlone: !text.DoubleLayer))
            {
                var whole = PlateLayout.WithUpperLine(plate.Corners, above);
                using var grown = PlateRectifier.Rectify(frame, whole);
                var twoLines = reader.ReadPlate(grown, detectedDouble: true, color);
                if (twoLines.IsValid && twoLines.DoubleLayer && twoLines.Text.EndsWith(serial, StringComparison.Ordinal)
                    && (!text.IsValid || twoLines.Confidence > text.Confidence))
                {
                    (text, corners) = (twoLines, whole);
                    box = new Box(whole.Min(c => c.X), whole.Min(c => c.Y), whole.Max(c => c.X), whole.Max(c => c.Y)).ClampTo(frame.Width, frame.Height);
                }
            }
        }
        return new PlateReading(text.Text, text.Confidence, text.IsValid, box, corners, plate.Score, text.DoubleLayer, color)
        {
            CharConfidences = text.CharConfidences,
        };
    }

    // The five characters of the serial in an invalid reading that could be a double-layer plate's: its lower line
    // (the last five of a two-line reading) or the serial read alone; null otherwise.
    private static string? Serial(PlateTextReading text) =>
        text.DoubleLayer ? (text.Text.Length >= PlateLayout.SerialLength ? text.Text[^PlateLayout.SerialLength..] : null)
        : text.Text.Length == PlateLayout.SerialLength ? text.Text : null;

    private List<PlateDetection> DetectAround(Mat frame, Box vehicle)
    {
        var region = vehicle.Expand(_margin).ClampTo(frame.Width, frame.Height);
        int x = (int)region.X1, y = (int)region.Y1;
        var rect = new Rect(x, y, (int)region.X2 - x, (int)region.Y2 - y);
        if (rect.Width < 8 || rect.Height < 8)
        {
            return [];
        }
        using var crop = new Mat(frame, rect);
        return [.. plates.Detect(crop).Select(p => p.Offset(rect.X, rect.Y))];
    }

    private static PlateDetection? BestInside(Box vehicle, IEnumerable<PlateDetection> found) =>
        found.Where(p => Contains(vehicle, p.Box.Center)).OrderByDescending(p => p.Score).FirstOrDefault();

    private static bool Contains(Box b, PointF p) => p.X >= b.X1 && p.X <= b.X2 && p.Y >= b.Y1 && p.Y <= b.Y2;
}
