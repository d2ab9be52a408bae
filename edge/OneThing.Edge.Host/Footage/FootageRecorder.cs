using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using OneThing.Edge.Domain.Frames;
using OneThing.Edge.Host.Pipeline;
using OneThing.Edge.Storage.Cases;
using OneThing.Edge.Vision;
using OpenCvSharp;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace OneThing.Edge.Host.Footage;

/// <summary>
/// Keeps each camera's analysed frames at a reduced rate and size (<see cref="FootageOptions"/>). Analysis hands a frame
/// over with <see cref="Offer"/>, which never waits: a due frame is copied into a small bounded queue, or dropped and
/// counted when the queue is full. One background worker scales (<see cref="ReducedJpeg"/>), writes and prunes.
/// </summary>
public sealed partial class FootageRecorder : BackgroundService
{
    /// <summary>Why a frame that was due for keeping is not on disk (the `reason` of footage_frames_dropped).</summary>
    public static class DropReasons
    {
        public const string QueueFull = "queue-full";
        public const string WriteFailed = "write-failed";
        public const string Pruned = "pruned";
    }

    private readonly FootageOptions _options;
    private readonly FootageStore _store;
    private readonly CaseRecorder _cases;
    private readonly TimeProvider _time;
    private readonly ILogger<FootageRecorder> _logger;
    private readonly Channel<CameraFrame> _queue;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _lastKept = new(StringComparer.Ordinal);
    private readonly Meter _meter = new(PipelineMetrics.MeterName);
    private readonly Counter<long> _dropped;
    private long _written;

    public FootageRecorder(IOptions<FootageOptions> options, FootageStore store, CaseRecorder cases, TimeProvider time, ILogger<FootageRecorder> logger)
    {
        (_options, _store, _cases, _time, _logger) = (options.Value, store, cases, time, logger);
        _queue = Channel.CreateBounded<CameraFrame>(new BoundedChannelOptions(Math.Max(1, _options.QueueCapacity)) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        _dropped = _meter.CreateCounter<long>("footage_frames_dropped", "frames", "Frames due for the footage that are not kept: queue full, write failed, or pruned (window, disk budget)");
        _meter.CreateObservableGauge("footage_bytes", () => _lastKept.Keys.Select(c => new Measurement<long>(_store.Bytes(c), new KeyValuePair<string, object?>("camera", c))),
            "bytes", "Disk used by each camera's footage");
    }

    /// <summary>Frames written so far (all cameras).</summary>
    public long Written => Interlocked.Read(ref _written);

    /// <summary>Called by analysis for every frame: keeps it when the camera's interval has passed. Never waits.</summary>
    public void Offer(CameraFrame frame)
    {
        if (!_options.Enabled)
        {
            return;
        }
        var last = _lastKept.GetValueOrDefault(frame.CameraId, DateTimeOffset.MinValue);
        if (frame.CapturedAt > last && frame.CapturedAt - last < TimeSpan.FromSeconds(_options.IntervalSeconds))
        {
            return;
        }
        _lastKept[frame.CameraId] = frame.CapturedAt;
        // The frame's buffer goes back to a pool after analysis: the queue holds a copy.
        if (!_queue.Writer.TryWrite(frame with { Image = frame.Image.ToArray() }))
        {
            Drop(frame.CameraId, DropReasons.QueueFull);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var frame in _queue.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                var started = Stopwatch.GetTimestamp();
                _store.Add(frame.CameraId, frame.CapturedAt, ReducedJpeg.Of(frame.Image, _options.MaxSide, _options.JpegQuality));
                Interlocked.Increment(ref _written);
                await PruneAsync(frame.CameraId, stoppingToken);
                PipelineMetrics.FootageSeconds.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or OpenCVException or InvalidDataException)
            {
                Drop(frame.CameraId, DropReasons.WriteFailed);
                LogWriteFailed(e, frame.CameraId);
            }
        }
    }

    /// <summary>Drops frames past the window; over the budget, the oldest frames not around one of the camera's cases.</summary>
    private async Task PruneAsync(string cameraId, CancellationToken cancellationToken)
    {
        IReadOnlyList<(DateTimeOffset, DateTimeOffset)> keep = [];
        var windowStart = _time.GetUtcNow().AddDays(-_options.WindowDays);
        if (_store.Bytes(cameraId) > _options.MaxBytesPerCamera)
        {
            // Only cases whose margin reaches into the window can hold a frame the store still has.
            var margin = TimeSpan.FromSeconds(_options.CaseMarginSeconds);
            keep = (await _cases.CameraCasesAsync(cameraId, windowStart - margin, DateTimeOffset.MaxValue, cancellationToken))
                .Select(c => (c.FirstSeenAt - margin, c.ConfirmedAt + margin))
                .ToList();
        }
        var pruned = _store.Prune(cameraId, windowStart, _options.MaxBytesPerCamera, keep);
        if (pruned > 0)
        {
            Drop(cameraId, DropReasons.Pruned, pruned);
        }
    }

    private void Drop(string cameraId, string reason, int count = 1) =>
        _dropped.Add(count, new KeyValuePair<string, object?>("camera", cameraId), new KeyValuePair<string, object?>("reason", reason));

    public override void Dispose()
    {
        _meter.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Footage of camera {CameraId}: a frame could not be kept")]
    private partial void LogWriteFailed(Exception e, string cameraId);
}
