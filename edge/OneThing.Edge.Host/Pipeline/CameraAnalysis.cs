using OneThing.Edge.Domain.Configuration;
using OneThing.Edge.Domain.Detections;
using OneThing.Edge.Domain.Engine;
using OneThing.Edge.Domain.Lanes;
using OneThing.Edge.Vision;

namespace OneThing.Edge.Host.Pipeline;

/// <summary>
/// One camera's analysis state: its violation engine, motion gate and the evidence held for its stopped vehicles
/// until confirmation, and its latest frame for the console.
/// </summary>
public sealed class CameraAnalysis(CameraOptions camera, ViolationEngineOptions engineOptions)
{
    private readonly Lock _latest = new();
    private byte[] _image = [];
    private int _imageLength;
    private long _gatedFrames;

    public CameraOptions Camera { get; set; } = camera;

    public ViolationEngine Engine { get; } = new(camera.Id, Lanes(camera), engineOptions);

    public DateTimeOffset? LastFrameAt { get; private set; }

    public IReadOnlyList<VehicleDetection> LastVehicles { get; private set; } = [];

    /// <summary>A copy of the latest frame for the console, made only when it asks.</summary>
    public LatestFrame? LatestFrame
    {
        get
        {
            lock (_latest)
            {
                return LastFrameAt is { } at ? new LatestFrame(_image[.._imageLength], at, LastVehicles) : null;
            }
        }
    }

    /// <summary>Frames whose detections were carried over from the last detected frame (still scene).</summary>
    public long GatedFrames => Interlocked.Read(ref _gatedFrames);

    internal Dictionary<int, HeldEvidence> Held { get; } = [];

    internal MotionGate Motion { get; } = new();

    /// <summary>Plate readings reused on frames the motion gate carried over.</summary>
    internal KeptPlateReadings Readings { get; } = new();

    /// <summary>A track the engine is done with (confirmed, dismissed, resumed): its held evidence, its kept plate reading gone.</summary>
    internal HeldEvidence? ForgetTrack(int trackId)
    {
        Readings.Drop(trackId);
        return Held.Remove(trackId, out var held) ? held : null;
    }

    /// <summary>Whether the camera's open cases were loaded from storage into its engine.</summary>
    internal bool Restored { get; set; }

    public static IReadOnlyList<LaneDefinition> Lanes(CameraOptions camera) => camera.Lanes.Select(l => l.ToDefinition()).ToList();

    internal void CountGated()
    {
        Interlocked.Increment(ref _gatedFrames);
        PipelineMetrics.GatedFrames.Add(1, new KeyValuePair<string, object?>("camera", Camera.Id));
    }

    /// <summary>
    /// Keeps the frame in one buffer per camera, reused: the frame's own buffer goes back to a pool, and a new
    /// array per frame would be large-object-heap churn at every camera's frame rate.
    /// </summary>
    internal void Remember(ReadOnlySpan<byte> image, DateTimeOffset capturedAt, IReadOnlyList<VehicleDetection> vehicles)
    {
        lock (_latest)
        {
            if (_image.Length < image.Length)
            {
                _image = new byte[image.Length + image.Length / 4];
            }
            image.CopyTo(_image);
            _imageLength = image.Length;
            LastFrameAt = capturedAt;
            LastVehicles = vehicles;
        }
    }
}

/// <summary>A camera's recent frame as received (encoded) with the vehicles found in it, for the console.</summary>
public sealed record LatestFrame(byte[] Image, DateTimeOffset CapturedAt, IReadOnlyList<VehicleDetection> Vehicles);
