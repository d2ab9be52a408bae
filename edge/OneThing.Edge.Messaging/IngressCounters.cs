using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace OneThing.Edge.Messaging;

/// <summary>Per-camera frame counts and PDA outcomes, for the status message, the console and /metrics.</summary>
public sealed class IngressCounters : IDisposable
{
    public const string MeterName = "OneThing.Edge.Ingress";
    private const int MaxUnknownIds = 100;

    private readonly Meter _meter = new(MeterName);
    private readonly Counter<long> _frames;
    private readonly Counter<long> _reports;
    private readonly ConcurrentDictionary<string, CameraCounts> _cameras = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _unknownCameras = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _reportOutcomes = new(StringComparer.Ordinal);

    public IngressCounters()
    {
        _frames = _meter.CreateCounter<long>("frames", description: "Camera frames by camera and outcome (received, dropped, rejected, processed, failed)");
        _reports = _meter.CreateCounter<long>("pda_reports", description: "PDA reports by outcome (accepted, duplicate, rejected code)");
    }

    public sealed class CameraCounts
    {
        internal long ReceivedCount, DroppedCount, RejectedCount, ProcessedCount, FailedCount;
        public long Received => Interlocked.Read(ref ReceivedCount);
        public long Dropped => Interlocked.Read(ref DroppedCount);
        public long Rejected => Interlocked.Read(ref RejectedCount);
        public long Processed => Interlocked.Read(ref ProcessedCount);
        public long Failed => Interlocked.Read(ref FailedCount);
    }

    public enum FrameOutcome { Received, Dropped, Rejected, Processed, Failed }

    public CameraCounts Camera(string cameraId) => _cameras.GetOrAdd(cameraId, _ => new CameraCounts());

    public IReadOnlyDictionary<string, CameraCounts> Cameras => _cameras;
    public IReadOnlyDictionary<string, long> UnknownCameras => _unknownCameras;

    /// <summary>accepted, duplicate, or rejected:{code}.</summary>
    public IReadOnlyDictionary<string, long> ReportOutcomes => _reportOutcomes;

    public long UnknownCameraFrames => _unknownCameras.Values.Sum();

    public void Frame(string cameraId, FrameOutcome outcome)
    {
        var counts = Camera(cameraId);
        switch (outcome)
        {
            case FrameOutcome.Received: Interlocked.Increment(ref counts.ReceivedCount); break;
            case FrameOutcome.Dropped: Interlocked.Increment(ref counts.DroppedCount); break;
            case FrameOutcome.Rejected: Interlocked.Increment(ref counts.RejectedCount); break;
            case FrameOutcome.Processed: Interlocked.Increment(ref counts.ProcessedCount); break;
            case FrameOutcome.Failed: Interlocked.Increment(ref counts.FailedCount); break;
        }
        _frames.Add(1, new("camera", cameraId), new("outcome", outcome.ToString().ToLowerInvariant()));
    }

    /// <summary>Frames from a camera the site does not know; distinct ids are capped so a noisy client cannot grow this.</summary>
    public void UnknownCamera(string cameraId)
    {
        var key = _unknownCameras.Count < MaxUnknownIds || _unknownCameras.ContainsKey(cameraId) ? cameraId : "(other)";
        _unknownCameras.AddOrUpdate(key, 1, (_, n) => n + 1);
        _frames.Add(1, new("camera", "unknown"), new("outcome", "unknown-camera"));
    }

    public void Report(string outcome)
    {
        _reportOutcomes.AddOrUpdate(outcome, 1, (_, n) => n + 1);
        _reports.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
    }

    public void Dispose() => _meter.Dispose();
}
