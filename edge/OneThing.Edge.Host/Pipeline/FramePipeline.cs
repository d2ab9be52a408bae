using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using OneThing.Edge.Domain;
using OneThing.Edge.Domain.Configuration;
using OneThing.Edge.Domain.Detections;
using OneThing.Edge.Domain.Dwell;
using OneThing.Edge.Domain.Engine;
using OneThing.Edge.Domain.Evidence;
using OneThing.Edge.Domain.Frames;
using OneThing.Edge.Domain.Geometry;
using OneThing.Edge.Domain.Lanes;
using OneThing.Edge.Domain.Violations;
using OneThing.Edge.Host.Cases;
using OneThing.Edge.Host.Http;
using OneThing.Edge.Storage.Cases;
using OneThing.Edge.Storage.Violations;
using OneThing.Edge.Vision;
using OpenCvSharp;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace OneThing.Edge.Host.Pipeline;

/// <summary>`OneThing:Pipeline`: how many frames are analysed at once (each ONNX call uses one thread), and the motion gate.</summary>
public sealed class PipelineOptions
{
    public const string Section = "OneThing:Pipeline";

    public int InferenceWorkers { get; set; } = Environment.ProcessorCount;

    public MotionGateOptions MotionGate { get; set; } = new();
}

/// <summary>
/// Each camera's frames in order: decode, detect vehicles, feed the camera's violation engine, and act on what it
/// asks for: keep evidence frames, read plates of stopped vehicles, record confirmed cases, report departures.
/// </summary>
public sealed partial class FramePipeline : IFrameSink, IDisposable
{
    private const string Jpeg = "image/jpeg";
    private readonly ConcurrentDictionary<string, CameraWatch> _cameras = new(StringComparer.Ordinal);
    private readonly FrameDecoder _decoder;
    private readonly VehicleVision _vision;
    private readonly Annotator _annotator;
    private readonly CaseRecorder _recorder;
    private readonly ViolationEvents _events;
    private readonly ClearanceWatcher _clearance;
    private readonly ViolationStore _violations;
    private readonly IOptionsMonitor<SiteOptions> _site;
    private readonly MotionGateOptions _motion;
    private readonly SemaphoreSlim _inference;
    private readonly ILogger<FramePipeline> _logger;
    private readonly IDisposable? _reload;

    public FramePipeline(
        FrameDecoder decoder, VehicleVision vision, Annotator annotator, CaseRecorder recorder, ViolationStore violations, ViolationEvents events, ClearanceWatcher clearance,
        IOptionsMonitor<SiteOptions> site, IOptions<PipelineOptions> options, ILogger<FramePipeline> logger)
    {
        _decoder = decoder;
        _vision = vision;
        _annotator = annotator;
        _recorder = recorder;
        _events = events;
        _clearance = clearance;
        _violations = violations;
        _site = site;
        _logger = logger;
        _motion = options.Value.MotionGate;
        _inference = new SemaphoreSlim(Math.Max(1, options.Value.InferenceWorkers));
        // Lanes and thresholds reload without a restart; running tracks and cases keep their state.
        _reload = site.OnChange(updated =>
        {
            foreach (var camera in updated.Cameras)
            {
                if (_cameras.TryGetValue(camera.Id, out var watch))
                {
                    watch.Engine.UpdateLanes(Lanes(camera));
                    watch.Camera = camera;
                }
            }
        });
    }

    /// <summary>The engines per camera, for the console and metrics.</summary>
    public IReadOnlyDictionary<string, CameraWatch> Cameras => _cameras;

    public async ValueTask ProcessAsync(CameraFrame frame, CancellationToken cancellationToken)
    {
        var watch = _cameras.GetOrAdd(frame.CameraId, id => new CameraWatch(Camera(id)));
        if (!watch.Restored)
        {
            await RestoreAsync(watch, cancellationToken);
        }
        await _inference.WaitAsync(cancellationToken);
        List<Func<Task>> follow = [];
        var full = new FullFrame(() => Decode(frame), _vision);
        try
        {
            var (width, height) = _decoder.ReadHeader(frame.Image.Span);
            using var thumbnail = _motion.Enabled ? _decoder.DecodeThumbnail(frame.Image.Span) : null;
            IReadOnlyList<VehicleDetection> vehicles;
            if (thumbnail is null || watch.Motion.NeedsDetection(thumbnail, frame.CapturedAt, watch.Engine.Lanes, _motion))
            {
                var image = full.Mat;
                vehicles = Timed(MetricsEndpoints.InferenceSeconds, () => _vision.DetectVehicles(image));
                if (thumbnail is not null)
                {
                    watch.Motion.Detected(thumbnail, frame.CapturedAt);
                }
            }
            else
            {
                // A still scene: the vehicles are where the detector last saw them.
                vehicles = watch.LastVehicles;
                watch.CountGated();
            }
            watch.Remember(frame.Image.Span, frame.CapturedAt, vehicles);
            foreach (var e in watch.Engine.Observe(frame.CapturedAt, width, height, vehicles))
            {
                if (Act(watch, frame, full, vehicles, e) is { } work)
                {
                    follow.Add(work);
                }
            }
        }
        finally
        {
            full.Dispose();
            _inference.Release();
        }
        // Disk and network work happens outside the inference gate.
        await RecordConfirmedAsync(watch);
        foreach (var work in follow)
        {
            await work();
        }
        await _clearance.TickAsync(frame.CapturedAt, cancellationToken);
    }

    /// <summary>
    /// Seeds a camera's new engine with its open cases from storage (after a restart, or a takeover on another
    /// instance's data directory): a car still standing where it was cited is that case, not a new one, and when it
    /// leaves, the case is cleared. Runs before the camera's first frame; a storage error fails that frame and the
    /// next frame tries again.
    /// </summary>
    private async Task RestoreAsync(CameraWatch watch, CancellationToken cancellationToken)
    {
        var restored = 0;
        foreach (var open in await _recorder.CasesAsync(openOnly: true, cancellationToken))
        {
            if (open.CameraId == watch.Camera.Id && open.Place is { } place)
            {
                watch.Engine.RestoreCase(open.Id, open.LaneId, open.Plate, place, open.ConfirmedAt, open.ConfirmedAt, departed: false);
                restored++;
            }
        }
        watch.Restored = true;
        if (restored > 0)
        {
            LogRestored(watch.Camera.Id, restored);
        }
    }

    /// <summary>Handles one engine event on the decoded frame; returns storage work to run after the inference gate.</summary>
    private Func<Task>? Act(CameraWatch watch, CameraFrame frame, FullFrame full, IReadOnlyList<VehicleDetection> vehicles, DwellEvent e)
    {
        switch (e)
        {
            case EvidenceNeeded { Stage: 1 } stage1:
                watch.Held[stage1.TrackId] = new HeldEvidence(Evidence(watch, frame, full.Mat, vehicles, stage1.Box, EvidenceKinds.Overview, stage1.LaneId));
                return null;
            case EvidenceNeeded stage2:
                var held = watch.Held.GetValueOrDefault(stage2.TrackId);
                watch.Held[stage2.TrackId] = (held ?? new HeldEvidence(null)) with { Confirmation = Evidence(watch, frame, full.Mat, vehicles, stage2.Box, EvidenceKinds.Confirmation, stage2.LaneId) };
                return null;
            case PlateNeeded plate:
                var plates = full.Plates; // decodes first if the detector was skipped: decode time is not plate time
                var reading = Timed(MetricsEndpoints.PlateReadSeconds, () => plates.Read(plate.Box));
                if (reading is null)
                {
                    return null;
                }
                watch.Engine.AddPlateReading(plate.TrackId, reading);
                if (reading.IsValid && watch.Held.TryGetValue(plate.TrackId, out var withPlate) && (withPlate.PlateConfidence ?? -1) < reading.Confidence)
                {
                    var closeUp = new EvidenceFrame(Timed(MetricsEndpoints.EvidenceSeconds, () => _annotator.RenderPlateCloseUp(full.Mat, reading)), frame.CapturedAt, EvidenceKinds.Plate, null, reading.Box);
                    watch.Held[plate.TrackId] = withPlate with { PlateCloseUp = closeUp, PlateConfidence = reading.Confidence };
                }
                return null;
            case ViolationConfirmed confirmed:
                watch.Held.Remove(confirmed.TrackId, out var evidence);
                watch.Unrecorded.Enqueue(new UnrecordedCase(confirmed, evidence));
                return null;
            case StopDismissed dismissed:
                watch.Held.Remove(dismissed.TrackId, out _);
                LogDismissed(watch.Camera.Id, dismissed.LaneId, dismissed.Duration.TotalSeconds);
                return null;
            case CaseResumed resumed:
                watch.Held.Remove(resumed.TrackId, out _);
                LogResumed(resumed.CaseId, watch.Camera.Id, resumed.LaneId, resumed.Reason);
                return null;
            case VehicleDeparted departed when watch.Unrecorded.FirstOrDefault(u => u.Confirmed.CaseId == departed.CaseId) is { } unrecorded:
                unrecorded.DepartedAt = departed.LastSeenAt;
                return null;
            case VehicleDeparted departed:
                var caseId = watch.TakeStoredCase(departed.CaseId);
                return () => _clearance.DepartedAsync(caseId, departed.LastSeenAt, CancellationToken.None);
            default:
                return null;
        }
    }

    private EvidenceFrame Evidence(CameraWatch watch, CameraFrame frame, Mat mat, IReadOnlyList<VehicleDetection> vehicles, Box box, string kind, string laneId)
    {
        var lanes = watch.Engine.Lanes.Select(l => new LaneOverlay(l.Id, l.Polygon)).ToList();
        var subject = vehicles.Where(v => v.Box.IoU(box) > 0.3).DefaultIfEmpty(new VehicleDetection(box, 1, "vehicle")).ToList();
        var jpeg = Timed(MetricsEndpoints.EvidenceSeconds, () => _annotator.Render(mat, new FrameOverlay(watch.Camera.Id, frame.CapturedAt, lanes, subject, [])));
        return new EvidenceFrame(jpeg, frame.CapturedAt, kind, laneId, box);
    }

    private Mat Decode(CameraFrame frame) => Timed(MetricsEndpoints.DecodeSeconds, () => _decoder.Decode(frame.Image.Span));

    /// <summary>Runs one stage of a frame and records its time, so /metrics shows where the cores go.</summary>
    private static T Timed<T>(Histogram<double> stage, Func<T> work)
    {
        var started = Stopwatch.GetTimestamp();
        var result = work();
        stage.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
        return result;
    }

    /// <summary>
    /// Records the camera's confirmed cases in order. While the disk is full a case stays queued, evidence in memory,
    /// and is tried again with each later frame: a confirmed violation is never dropped.
    /// </summary>
    private async Task RecordConfirmedAsync(CameraWatch watch)
    {
        while (watch.Unrecorded.TryPeek(out var next))
        {
            try
            {
                await RecordAsync(watch, next.Confirmed, next.Evidence);
            }
            catch (StorageFullException e)
            {
                foreach (var waiting in watch.Unrecorded.Where(u => !u.Waiting))
                {
                    waiting.Waiting = true;
                    LogCaseWaiting(waiting.Confirmed.CaseId, watch.Camera.Id, waiting.Confirmed.LaneId, e.Message);
                }
                return;
            }
            catch
            {
                // Any other failure loses the case, as before (the frame counts as failed); only a full disk is waited out.
                watch.Unrecorded.TryDequeue(out _);
                throw;
            }
            watch.Unrecorded.TryDequeue(out _);
            if (next.Waiting)
            {
                LogCaseRecordedLate(next.Confirmed.CaseId, watch.Camera.Id);
            }
            if (next.DepartedAt is { } left)
            {
                await _clearance.DepartedAsync(watch.TakeStoredCase(next.Confirmed.CaseId), left, CancellationToken.None);
            }
        }
    }

    private async Task RecordAsync(CameraWatch watch, ViolationConfirmed confirmed, HeldEvidence? held)
    {
        var site = _site.CurrentValue.SiteId;
        var cooldown = watch.Engine.Lanes.FirstOrDefault(l => l.Id == confirmed.LaneId)?.Cooldown ?? TimeSpan.Zero;
        if (confirmed.Plate is not null && await _violations.FindOpenAsync(confirmed.Plate, confirmed.LaneId, confirmed.ConfirmedAt - cooldown, CancellationToken.None) is { } open)
        {
            // Storage remembers across restarts what the engine's memory does not: same car, same lane, one case.
            // The engine's new case is that car, so its departure clears the stored case.
            watch.StoredCases[confirmed.CaseId] = open.Violation.Id;
            LogAlreadyOpen(open.Violation.Id, confirmed.Plate, confirmed.LaneId);
            return;
        }
        var items = new List<EvidenceManifestItem>();
        foreach (var frame in new[] { held?.Overview, held?.Confirmation, held?.PlateCloseUp }.OfType<EvidenceFrame>())
        {
            items.Add(await _recorder.StoreEvidenceAsync(frame.Kind, frame.Jpeg, frame.CapturedAt, Jpeg, watch.Camera.Id, frame.LaneId ?? confirmed.LaneId, frame.Box, CancellationToken.None));
        }
        var violation = confirmed.ToViolation(site, watch.Camera.Id, items.Select(i => new EvidenceItem(i.Kind, i.Sha256, i.CapturedAt, i.ContentType)).ToList());
        if (!await _recorder.RecordAsync(violation, new EvidenceManifest(confirmed.CaseId, items), CancellationToken.None))
        {
            return;
        }
        _clearance.Watch(confirmed.CaseId, confirmed.LaneId, confirmed.Plate, confirmed.ConfirmedAt);
        LogConfirmed(confirmed.CaseId, watch.Camera.Id, confirmed.LaneId, confirmed.Plate ?? "(unreadable)", (confirmed.ConfirmedAt - confirmed.FirstSeenAt).TotalSeconds, items.Count);
        await _events.PublishAsync("confirmed", confirmed.CaseId, new { cameraId = watch.Camera.Id, confirmed.LaneId, confirmed.Plate, confirmed.PlateConfidence, confirmed.FirstSeenAt, confirmed.ConfirmedAt, evidence = items.Count }, CancellationToken.None);
        if (confirmed.PlateUnreadable)
        {
            // No plate, no owner to text: an officer goes instead.
            await _clearance.EscalateAsync(confirmed.CaseId, "plate unreadable", confirmed.ConfirmedAt, CancellationToken.None);
        }
    }

    private CameraOptions Camera(string id) =>
        _site.CurrentValue.Cameras.FirstOrDefault(c => c.Id == id) ?? throw new InvalidOperationException($"camera {id} is not configured");

    public static IReadOnlyList<LaneDefinition> Lanes(CameraOptions camera) => camera.Lanes.Select(l => l.ToDefinition()).ToList();

    public void Dispose()
    {
        _reload?.Dispose();
        _inference.Dispose();
    }

    /// <summary>One camera's engine and the evidence frames held for its stopped vehicles until confirmation.</summary>
    public sealed class CameraWatch(CameraOptions camera)
    {
        public CameraOptions Camera { get; set; } = camera;
        public ViolationEngine Engine { get; } = new(camera.Id, Lanes(camera));
        private readonly Lock _latest = new();
        private byte[] _image = [];
        private int _imageLength;

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

        internal Dictionary<int, HeldEvidence> Held { get; } = [];

        internal MotionGate Motion { get; } = new();

        /// <summary>Whether the camera's open cases were loaded from storage into its engine.</summary>
        internal bool Restored { get; set; }

        private long _gatedFrames;

        /// <summary>Frames whose detections were carried over from the last detected frame (still scene).</summary>
        public long GatedFrames => Interlocked.Read(ref _gatedFrames);

        internal void CountGated()
        {
            Interlocked.Increment(ref _gatedFrames);
            MetricsEndpoints.GatedFrames.Add(1, new KeyValuePair<string, object?>("camera", Camera.Id));
        }

        /// <summary>Engine cases that storage already held as open (confirmed again after a restart or takeover): engine id -> stored id.</summary>
        internal Dictionary<Guid, Guid> StoredCases { get; } = [];

        /// <summary>The stored case an engine case stands for, forgotten after (the car left).</summary>
        internal Guid TakeStoredCase(Guid engineCaseId) => StoredCases.Remove(engineCaseId, out var stored) ? stored : engineCaseId;

        /// <summary>Confirmed cases not recorded yet, oldest first: empty but while the disk is full.</summary>
        internal ConcurrentQueue<UnrecordedCase> Unrecorded { get; } = new();

        /// <summary>Confirmed cases waiting for disk space (for /metrics).</summary>
        public int UnrecordedCases => Unrecorded.Count;

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

    /// <summary>
    /// A frame at full size, decoded only when something needs it (the detector; evidence and plate reads, also when
    /// the motion gate skipped the detector), and its plate search, shared by the frame's stopped vehicles.
    /// </summary>
    private sealed class FullFrame(Func<Mat> decode, VehicleVision vision) : IDisposable
    {
        private Mat? _mat;
        private VehicleVision.FramePlates? _plates;

        public Mat Mat => _mat ??= decode();

        public VehicleVision.FramePlates Plates => _plates ??= vision.PlatesIn(Mat);

        public void Dispose() => _mat?.Dispose();
    }

    /// <summary>A camera's recent frame as received (encoded) with the vehicles found in it, for the console.</summary>
    public sealed record LatestFrame(byte[] Image, DateTimeOffset CapturedAt, IReadOnlyList<VehicleDetection> Vehicles);

    internal sealed record EvidenceFrame(byte[] Jpeg, DateTimeOffset CapturedAt, string Kind, string? LaneId, Box? Box);

    /// <summary>A confirmed case on its way to storage; <see cref="DepartedAt"/> is set if the car left before it was recorded.</summary>
    internal sealed class UnrecordedCase(ViolationConfirmed confirmed, HeldEvidence? evidence)
    {
        public ViolationConfirmed Confirmed { get; } = confirmed;
        public HeldEvidence? Evidence { get; } = evidence;
        public bool Waiting { get; set; }
        public DateTimeOffset? DepartedAt { get; set; }
    }

    internal sealed record HeldEvidence(EvidenceFrame? Overview, EvidenceFrame? Confirmation = null, EvidenceFrame? PlateCloseUp = null, float? PlateConfidence = null);

    [LoggerMessage(Level = LogLevel.Information, Message = "Violation {CaseId} confirmed: camera {CameraId}, lane {LaneId}, plate {Plate}, stopped {Seconds:0} s, {EvidenceCount} evidence files")]
    private partial void LogConfirmed(Guid caseId, string cameraId, string laneId, string plate, double seconds, int evidenceCount);

    [LoggerMessage(Level = LogLevel.Error, Message = "Violation {CaseId} (camera {CameraId}, lane {LaneId}) confirmed but not recorded: {Reason}. Its evidence is held in memory; it is recorded when space is freed")]
    private partial void LogCaseWaiting(Guid caseId, string cameraId, string laneId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Violation {CaseId} of camera {CameraId} recorded after waiting for disk space")]
    private partial void LogCaseRecordedLate(Guid caseId, string cameraId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Case {CaseId} for {Plate} in lane {LaneId} is still open; no second case")]
    private partial void LogAlreadyOpen(Guid caseId, string plate, string laneId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Camera {CameraId}: {Count} open case(s) restored from storage; their cars are looked for where they stood")]
    private partial void LogRestored(string cameraId, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Case {CaseId} resumed on camera {CameraId}, lane {LaneId} ({Reason}): the same car, no new case")]
    private partial void LogResumed(Guid caseId, string cameraId, string laneId, ResumeReason reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stop dismissed on camera {CameraId}, lane {LaneId} after {Seconds:0} s (drop-off or delivery)")]
    private partial void LogDismissed(string cameraId, string laneId, double seconds);
}
