using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using OneThing.Edge.Domain.Configuration;
using OneThing.Edge.Domain.Detections;
using OneThing.Edge.Domain.Dwell;
using OneThing.Edge.Domain.Engine;
using OneThing.Edge.Domain.Frames;
using OneThing.Edge.Domain.Geometry;
using OneThing.Edge.Host.Footage;
using OneThing.Edge.Storage.Cases;
using OneThing.Edge.Vision;
using OpenCvSharp;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace OneThing.Edge.Host.Pipeline;

/// <summary>
/// The analysis stage: each camera's frames in order, the header parsed once, at most one reduced decode (motion
/// gate) and one full decode; vehicles detected, the camera's violation engine fed, plates read and evidence rendered
/// as it asks. What needs storage goes to <see cref="RecordingQueue"/>, so a slow disk never stalls analysis.
/// </summary>
public sealed partial class FrameAnalyser : IFrameSink, IDisposable
{
    private readonly ConcurrentDictionary<string, CameraAnalysis> _cameras = new(StringComparer.Ordinal);
    private readonly FrameDecoder _decoder;
    private readonly VehicleVision _vision;
    private readonly EvidenceRenderer _evidence;
    private readonly CaseRecorder _stored;
    private readonly RecordingQueue _recording;
    private readonly FootageRecorder _footage;
    private readonly IOptionsMonitor<SiteOptions> _site;
    private readonly IOptionsMonitor<ViolationEngineOptions> _engine;
    private readonly MotionGateOptions _motion;
    private readonly SemaphoreSlim _inference;
    private readonly int _workers;
    private readonly ILogger<FrameAnalyser> _logger;
    private readonly IDisposable? _reload;

    public FrameAnalyser(
        FrameDecoder decoder, VehicleVision vision, EvidenceRenderer evidence, CaseRecorder stored, RecordingQueue recording, FootageRecorder footage,
        IOptionsMonitor<SiteOptions> site, IOptionsMonitor<ViolationEngineOptions> engine, IOptions<PipelineOptions> options, ILogger<FrameAnalyser> logger)
    {
        (_decoder, _vision, _evidence, _stored, _recording, _footage, _site, _engine, _logger) = (decoder, vision, evidence, stored, recording, footage, site, engine, logger);
        _workers = Math.Max(1, options.Value.InferenceWorkers);
        _motion = options.Value.MotionGate;
        _inference = new SemaphoreSlim(_workers);
        // Lanes and thresholds reload without a restart; running tracks and cases keep their state.
        _reload = site.OnChange(updated =>
        {
            foreach (var camera in updated.Cameras)
            {
                if (_cameras.TryGetValue(camera.Id, out var analysis))
                {
                    analysis.Engine.UpdateLanes(CameraAnalysis.Lanes(camera));
                    analysis.Camera = camera;
                }
            }
        });
    }

    /// <summary>Each camera's analysis state, for the console and metrics.</summary>
    public IReadOnlyDictionary<string, CameraAnalysis> Cameras => _cameras;

    /// <summary>Whether a frame is being analysed now (what-if replays wait for this to pass: live analysis first).</summary>
    public bool Busy => _inference.CurrentCount < _workers;

    public async ValueTask ProcessAsync(CameraFrame frame, CancellationToken cancellationToken)
    {
        var camera = _cameras.GetOrAdd(frame.CameraId, id => new CameraAnalysis(Camera(id), _engine.CurrentValue));
        if (!camera.Restored)
        {
            await RestoreAsync(camera, cancellationToken);
        }
        List<CaseWork> cases = [];
        await _inference.WaitAsync(cancellationToken);
        try
        {
            Analyse(camera, frame, cases);
        }
        finally
        {
            _inference.Release();
        }
        _footage.Offer(frame);
        await _recording.WriteAsync(new AnalysedFrame(camera.Camera.Id, frame.CapturedAt, cases), cancellationToken);
    }

    private void Analyse(CameraAnalysis camera, CameraFrame frame, List<CaseWork> cases)
    {
        var header = _decoder.ReadHeader(frame.Image.Span);
        using var full = new FullFrame(frame.Image[..header.Length], () => PipelineMetrics.DecodeSeconds.Timed(() => _decoder.Decode(frame.Image.Span, header)), _vision);
        var found = Detect(camera, frame, header, full);
        camera.Remember(frame.Image.Span, frame.CapturedAt, found.Vehicles);
        foreach (var e in camera.Engine.Observe(frame.CapturedAt, header.Width, header.Height, found.Vehicles))
        {
            Act(camera, frame, full, found, e, cases);
        }
    }

    /// <summary>The frame's vehicles and people: from the detector, or the last detected frame's vehicles when the scene did not change.</summary>
    private FrameVehicles Detect(CameraAnalysis camera, CameraFrame frame, FrameHeader header, FullFrame full)
    {
        // A frame due for the detector anyway (keep-alive, first frame) is decoded once, its reference taken from that.
        var decodeThumbnail = _motion.Enabled && !camera.Motion.MustDetect(FrameDecoder.ThumbnailSize(header), frame.CapturedAt, _motion);
        using var thumbnail = decodeThumbnail ? PipelineMetrics.MotionSeconds.Timed(() => _decoder.DecodeThumbnail(frame.Image.Span, header)) : null;
        if (thumbnail is not null && !PipelineMetrics.MotionSeconds.Timed(() => camera.Motion.NeedsDetection(thumbnail, frame.CapturedAt, camera.Engine.Lanes, _motion)))
        {
            camera.CountGated();
            return FrameVehicles.CarriedOverFrom(camera.LastVehicles);
        }
        var image = full.Mat;
        var detected = PipelineMetrics.InferenceSeconds.Timed(() => _vision.DetectVehiclesAndPeople(image));
        if (_motion.Enabled)
        {
            using var reference = thumbnail is null ? PipelineMetrics.MotionSeconds.Timed(() => FrameDecoder.ThumbnailOf(image)) : null;
            camera.Motion.Detected(thumbnail ?? reference!, frame.CapturedAt);
        }
        camera.Readings.Forget();
        return FrameVehicles.Detected(detected);
    }

    /// <summary>
    /// Seeds a camera's new engine with its open cases from storage (after a restart, or a takeover on another
    /// instance's data directory): a car still standing where it was cited is that case, not a new one, and when it
    /// leaves, the case is cleared. Runs before the camera's first frame; a storage error fails that frame and the
    /// next frame tries again.
    /// </summary>
    private async Task RestoreAsync(CameraAnalysis camera, CancellationToken cancellationToken)
    {
        var restored = 0;
        foreach (var open in await _stored.CasesAsync(openOnly: true, cancellationToken))
        {
            if (open.CameraId == camera.Camera.Id && open.Place is { } place)
            {
                camera.Engine.RestoreCase(open.Id, open.LaneId, open.Plate, place, open.ConfirmedAt, open.ConfirmedAt, departed: false);
                restored++;
            }
        }
        camera.Restored = true;
        if (restored > 0)
        {
            LogRestored(camera.Camera.Id, restored);
        }
    }

    /// <summary>Handles one engine event on the frame: evidence and plate reads here, cases and departures to recording.</summary>
    private void Act(CameraAnalysis camera, CameraFrame frame, FullFrame full, FrameVehicles found, DwellEvent e, List<CaseWork> cases)
    {
        switch (e)
        {
            case EvidenceNeeded { Stage: 1 } overview:
                camera.Held[overview.TrackId] = new HeldEvidence(_evidence.Frame(camera, frame.CapturedAt, full.Image.Span, found.Vehicles, found.People, full.PlatesIfSearched, overview));
                break;
            case EvidenceNeeded confirmation:
                var held = camera.Held.GetValueOrDefault(confirmation.TrackId) ?? new HeldEvidence(null);
                camera.Held[confirmation.TrackId] = held with { Confirmation = _evidence.Frame(camera, frame.CapturedAt, full.Image.Span, found.Vehicles, found.People, full.PlatesIfSearched, confirmation) };
                break;
            case PlateNeeded plate when found.CarriedOver && camera.Readings.Find(plate.TrackId, plate.Box) is { } kept:
                PipelineMetrics.PlateReadsReused.Add(1, new KeyValuePair<string, object?>("camera", camera.Camera.Id));
                camera.Engine.AddPlateReading(plate.TrackId, kept);
                break;
            case PlateNeeded plate:
                var plates = full.Plates; // decodes first if the detector was skipped: decode time is not plate time
                if (PipelineMetrics.PlateReadSeconds.Timed(() => plates.Read(plate.Box)) is not { } reading)
                {
                    break;
                }
                camera.Readings.Keep(plate.TrackId, plate.Box, reading);
                camera.Engine.AddPlateReading(plate.TrackId, reading);
                if (reading.IsValid && camera.Held.TryGetValue(plate.TrackId, out var withPlate) && (withPlate.PlateConfidence ?? -1) < reading.Confidence)
                {
                    camera.Held[plate.TrackId] = withPlate with { PlateCloseUp = _evidence.PlateCloseUp(full.Mat, reading, frame.CapturedAt, found.People), PlateConfidence = reading.Confidence };
                }
                break;
            case ViolationConfirmed confirmed:
                var evidence = camera.ForgetTrack(confirmed.TrackId);
                var cooldown = camera.Engine.Lanes.FirstOrDefault(l => l.Id == confirmed.LaneId)?.Cooldown ?? TimeSpan.Zero;
                cases.Add(new CaseToRecord(confirmed, evidence, cooldown));
                break;
            case StopDismissed dismissed:
                camera.ForgetTrack(dismissed.TrackId);
                LogDismissed(camera.Camera.Id, dismissed.LaneId, dismissed.Duration.TotalSeconds);
                break;
            case CaseResumed resumed:
                camera.ForgetTrack(resumed.TrackId);
                LogResumed(resumed.CaseId, camera.Camera.Id, resumed.LaneId, resumed.Reason);
                break;
            case VehicleDeparted departed:
                cases.Add(new CarLeft(departed.CaseId, departed.LastSeenAt));
                break;
        }
    }

    private CameraOptions Camera(string id) =>
        _site.CurrentValue.Cameras.FirstOrDefault(c => c.Id == id) ?? throw new InvalidOperationException($"camera {id} is not configured");

    public void Dispose()
    {
        _reload?.Dispose();
        _inference.Dispose();
    }

    /// <summary>
    /// A frame's vehicles: found by the detector on it (with its people), or, when the motion gate saw no change in the
    /// lanes, <see cref="CarriedOver"/> from the last detected frame (people unknown: whoever needs them looks).
    /// </summary>
    private sealed record FrameVehicles(IReadOnlyList<VehicleDetection> Vehicles, IReadOnlyList<Box>? People, bool CarriedOver)
    {
        public static FrameVehicles Detected(SceneDetections scene) => new(scene.Vehicles, scene.People, CarriedOver: false);

        public static FrameVehicles CarriedOverFrom(IReadOnlyList<VehicleDetection> lastDetected) => new(lastDetected, People: null, CarriedOver: true);
    }

    /// <summary>
    /// A frame at full size, decoded only when something needs it (the detector, plate reads and close-ups, also when
    /// the motion gate skipped the detector), and its plate search, shared by the frame's stopped vehicles.
    /// </summary>
    /// <param name="image">The frame as sent, up to its end-of-image marker: what evidence keeps.</param>
    private sealed class FullFrame(ReadOnlyMemory<byte> image, Func<Mat> decode, VehicleVision vision) : IDisposable
    {
        private Mat? _mat;
        private VehicleVision.FramePlates? _plates;

        public ReadOnlyMemory<byte> Image => image;

        public Mat Mat => _mat ??= decode();

        public VehicleVision.FramePlates Plates => _plates ??= vision.PlatesIn(Mat);

        /// <summary>The whole frame's plates when a plate read on it searched them so far (evidence redaction takes them).</summary>
        public IReadOnlyList<PlateDetection>? PlatesIfSearched => _plates?.WholeFrameIfSearched;

        public void Dispose() => _mat?.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Camera {CameraId}: {Count} open case(s) restored from storage; their cars are looked for where they stood")]
    private partial void LogRestored(string cameraId, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Case {CaseId} resumed on camera {CameraId}, lane {LaneId} ({Reason}): the same car, no new case")]
    private partial void LogResumed(Guid caseId, string cameraId, string laneId, ResumeReason reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stop dismissed on camera {CameraId}, lane {LaneId} after {Seconds:0} s (drop-off or delivery)")]
    private partial void LogDismissed(string cameraId, string laneId, double seconds);
}
