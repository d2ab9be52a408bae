using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using OneThing.Edge.Domain;
using OneThing.Edge.Domain.Configuration;
using OneThing.Edge.Domain.Evidence;
using OneThing.Edge.Domain.Plates;
using OneThing.Edge.Host.Cases;
using OneThing.Edge.Storage.Cases;
using OneThing.Edge.Storage.Violations;
using OneThing.Edge.Vision;

namespace OneThing.Edge.Host.Pipeline;

/// <summary>
/// The recording stage: takes analysed frames off <see cref="RecordingQueue"/> in order and turns the cases in them
/// into stored cases (de-duplicated against storage, evidence files first), reports departures and advances the
/// clearance deadlines to each frame's capture time. While the disk is full a confirmed case waits in memory with its
/// evidence and is tried again with the camera's next frame: it is never dropped.
/// </summary>
public sealed partial class CaseRecording(
    RecordingQueue queue,
    CaseService cases,
    CaseRecorder recorder,
    ViolationStore violations,
    EvidenceRenderer evidence,
    IOptionsMonitor<SiteOptions> site,
    ILogger<CaseRecording> logger) : BackgroundService
{
    private const string Jpeg = "image/jpeg";
    private readonly ConcurrentDictionary<string, CameraRecording> _cameras = new(StringComparer.Ordinal);

    /// <summary>Confirmed cases held in memory because the disk is full (for /metrics).</summary>
    public int UnrecordedCases => _cameras.Values.Sum(c => c.Unrecorded.Count);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var frame in queue.Reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    await RecordAsync(frame, stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // One failing frame (database error, broker refusing a task) must not stop recording for all cameras.
                    PipelineMetrics.RecordingFailures.Add(1, new KeyValuePair<string, object?>("camera", frame.CameraId));
                    LogRecordingFailed(e, frame.CameraId, frame.CapturedAt);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Records one analysed frame (the queue's reader; `replay` calls it directly, frame by frame).</summary>
    public async Task RecordAsync(AnalysedFrame frame, CancellationToken cancellationToken)
    {
        var camera = _cameras.GetOrAdd(frame.CameraId, _ => new CameraRecording());
        List<CarLeft> departures = [];
        foreach (var work in frame.Cases)
        {
            switch (work)
            {
                case CaseToRecord confirmed:
                    camera.Unrecorded.Enqueue(new UnrecordedCase(confirmed));
                    break;
                case CarLeft left when camera.Unrecorded.FirstOrDefault(u => u.Case.Confirmed.CaseId == left.EngineCaseId) is { } waiting:
                    waiting.DepartedAt = left.LastSeenAt;
                    break;
                case CarLeft left:
                    departures.Add(left);
                    break;
            }
        }
        await RecordConfirmedAsync(frame.CameraId, camera, cancellationToken);
        foreach (var left in departures)
        {
            await cases.DepartedAsync(camera.TakeStoredCase(left.EngineCaseId), left.LastSeenAt, cancellationToken);
        }
        await cases.TickAsync(frame.CapturedAt, cancellationToken);
    }

    /// <summary>Records the camera's confirmed cases in order; on a full disk they stay queued, evidence in memory.</summary>
    private async Task RecordConfirmedAsync(string cameraId, CameraRecording camera, CancellationToken cancellationToken)
    {
        while (camera.Unrecorded.TryPeek(out var next))
        {
            try
            {
                await RecordAsync(cameraId, camera, next, cancellationToken);
            }
            catch (StorageFullException e)
            {
                foreach (var waiting in camera.Unrecorded.Where(u => !u.Waiting))
                {
                    waiting.Waiting = true;
                    LogCaseWaiting(waiting.Case.Confirmed.CaseId, cameraId, waiting.Case.Confirmed.LaneId, e.Message);
                }
                return;
            }
            catch
            {
                // Any other failure loses the case (counted as a recording failure); only a full disk is waited out.
                camera.Unrecorded.TryDequeue(out _);
                throw;
            }
            camera.Unrecorded.TryDequeue(out _);
            if (next.Waiting)
            {
                LogCaseRecordedLate(next.Case.Confirmed.CaseId, cameraId);
            }
            if (next.DepartedAt is { } left)
            {
                await cases.DepartedAsync(camera.TakeStoredCase(next.Case.Confirmed.CaseId), left, cancellationToken);
            }
        }
    }

    private async Task RecordAsync(string cameraId, CameraRecording camera, UnrecordedCase next, CancellationToken cancellationToken)
    {
        var (work, confirmed) = (next.Case, next.Case.Confirmed);
        if (confirmed.Plate is not null && await violations.FindOpenAsync(confirmed.Plate, confirmed.LaneId, confirmed.ConfirmedAt - work.Cooldown, cancellationToken) is { } open)
        {
            // Storage remembers across restarts what the engine's memory does not: same car, same lane, one case.
            // The engine's new case is that car, so its departure clears the stored case.
            camera.StoredCases[confirmed.CaseId] = open.Violation.Id;
            LogAlreadyOpen(open.Violation.Id, PlateMask.ForLog(confirmed.Plate, logger.IsEnabled(LogLevel.Debug)), confirmed.LaneId);
            return;
        }
        // Rendered once: a case waiting for disk space is not redacted again with every frame.
        next.Rendered ??= Render(cameraId, work);
        var items = new List<EvidenceManifestItem>();
        foreach (var (frame, rendered) in next.Rendered)
        {
            items.Add(await recorder.StoreEvidenceAsync(frame.Kind, rendered.Original, rendered.Redacted, frame.CapturedAt, Jpeg, cameraId, frame.LaneId ?? confirmed.LaneId, frame.Box, cancellationToken));
        }
        var violation = confirmed.ToViolation(site.CurrentValue.SiteId, cameraId, [.. items.Select(i => i.ToEvidenceItem())]);
        await cases.ConfirmAsync(violation, new EvidenceManifest(confirmed.CaseId, items), cancellationToken);
    }

    /// <summary>Each held evidence image as original and redacted copy, captioned with the case's place and plate.</summary>
    private List<(EvidenceFrame Frame, RenderedEvidence Rendered)> Render(string cameraId, CaseToRecord work)
    {
        var place = site.CurrentValue.Place(cameraId, work.Confirmed.LaneId);
        return [.. (work.Evidence?.Frames ?? []).Select(frame =>
            (frame, evidence.Render(frame, new EvidenceCaption(frame.CapturedAt, place, cameraId, work.Confirmed.Plate))))];
    }

    /// <summary>One camera's cases between analysis and storage.</summary>
    private sealed class CameraRecording
    {
        /// <summary>
        /// Confirmed cases not recorded yet, oldest first: empty but while the disk is full. Changed by the recording
        /// reader only. Not a ConcurrentQueue: once peeked at or enumerated, its segment no longer clears dequeued slots and
        /// keeps every recorded case, rendered evidence and all (1,500 frame-sized arrays at 128 gated cameras in a heap
        /// dump; CaseRecordingTests).
        /// </summary>
        public Queue<UnrecordedCase> Unrecorded { get; } = new();

        /// <summary>Engine cases that storage already held as open (confirmed again after a restart or takeover): engine id -> stored id.</summary>
        public Dictionary<Guid, Guid> StoredCases { get; } = [];

        /// <summary>The stored case an engine case stands for, forgotten after (the car left).</summary>
        public Guid TakeStoredCase(Guid engineCaseId) => StoredCases.Remove(engineCaseId, out var stored) ? stored : engineCaseId;
    }

    /// <summary>A confirmed case on its way to storage; <see cref="DepartedAt"/> is set if the car left before it was recorded.</summary>
    private sealed class UnrecordedCase(CaseToRecord work)
    {
        public CaseToRecord Case { get; } = work;

        public bool Waiting { get; set; }

        public DateTimeOffset? DepartedAt { get; set; }

        public List<(EvidenceFrame Frame, RenderedEvidence Rendered)>? Rendered { get; set; }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Violation {CaseId} (camera {CameraId}, lane {LaneId}) confirmed but not recorded: {Reason}. Its evidence is held in memory; it is recorded when space is freed")]
    private partial void LogCaseWaiting(Guid caseId, string cameraId, string laneId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Violation {CaseId} of camera {CameraId} recorded after waiting for disk space")]
    private partial void LogCaseRecordedLate(Guid caseId, string cameraId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Case {CaseId} for {Plate} in lane {LaneId} is still open; no second case")]
    private partial void LogAlreadyOpen(Guid caseId, string plate, string laneId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Recording of camera {CameraId}'s frame captured at {CapturedAt} failed")]
    private partial void LogRecordingFailed(Exception exception, string cameraId, DateTimeOffset capturedAt);
}
