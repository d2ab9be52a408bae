using System.Buffers;
using System.Globalization;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OneThing.Edge.Domain.Frames;

namespace OneThing.Edge.Messaging.Frames;

public enum FrameAdmission { Queued, UnknownCamera, Rejected }

/// <summary>
/// Takes camera frames off MQTT into one bounded queue per camera. Capture never waits for detection: when a camera
/// gets ahead, its oldest queued frame is dropped and counted. One consumer per camera keeps its frames in order.
/// </summary>
public sealed partial class FrameIngress : BackgroundService
{
    private static readonly TimeSpan MaxFutureSkew = TimeSpan.FromMinutes(5);

    private readonly Dictionary<string, Channel<PooledFrame>> _queues;
    private readonly IFrameSink _sink;
    private readonly IngressCounters _counters;
    private readonly MqttOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<FrameIngress> _logger;

    public FrameIngress(IEnumerable<string> cameraIds, IFrameSink sink, IngressCounters counters, MqttOptions options, TimeProvider time, ILogger<FrameIngress> logger)
    {
        _sink = sink;
        _counters = counters;
        _options = options;
        _time = time;
        _logger = logger;
        _queues = cameraIds.Distinct(StringComparer.Ordinal).ToDictionary(id => id, id => Channel.CreateBounded<PooledFrame>(
            new BoundedChannelOptions(options.FrameQueueCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            dropped => { dropped.Release(); _counters.Frame(id, IngressCounters.FrameOutcome.Dropped); }), StringComparer.Ordinal);
        foreach (var id in _queues.Keys)
        {
            _counters.Camera(id);
        }
    }

    /// <summary>
    /// Admits one frame. <paramref name="capturedAt"/> is the MQTT 5 `captured-at` property (RFC 3339 UTC); without it
    /// the receive time is used (MQTT 3.1.1 cameras).
    /// </summary>
    public FrameAdmission Offer(string cameraId, ReadOnlySequence<byte> payload, string? capturedAt, string? sequence)
    {
        if (!_queues.TryGetValue(cameraId, out var queue))
        {
            _counters.UnknownCamera(cameraId);
            return FrameAdmission.UnknownCamera;
        }
        _counters.Frame(cameraId, IngressCounters.FrameOutcome.Received);

        var receivedAt = _time.GetUtcNow();
        var problem = payload.Length == 0 ? "empty payload"
            : payload.Length > _options.MaxFrameBytes ? $"{payload.Length} bytes exceeds OneThing:Mqtt:MaxFrameBytes {_options.MaxFrameBytes}"
            : null;
        DateTimeOffset captured = receivedAt;
        if (problem is null && capturedAt is not null)
        {
            if (!DateTimeOffset.TryParse(capturedAt, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out captured))
            {
                problem = $"captured-at '{capturedAt[..Math.Min(capturedAt.Length, 40)]}' is not an RFC 3339 time";
            }
            else if (captured - receivedAt > MaxFutureSkew)
            {
                problem = $"captured-at {captured:O} is ahead of the gateway clock; check the camera's clock";
            }
        }
        if (problem is not null)
        {
            _counters.Frame(cameraId, IngressCounters.FrameOutcome.Rejected);
            LogFrameRejected(cameraId, problem);
            return FrameAdmission.Rejected;
        }

        long? seq = long.TryParse(sequence, NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) ? s : null;
        // Payload buffers belong to the MQTT library; frames are copied into pooled arrays (no large-object-heap churn).
        var length = (int)payload.Length;
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        payload.CopyTo(buffer);
        var frame = new CameraFrame(cameraId, captured.ToUniversalTime(), buffer.AsMemory(0, length), seq, receivedAt);
        if (!queue.Writer.TryWrite(new PooledFrame(frame, buffer)))
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return FrameAdmission.Queued;
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(_queues.Select(q => Task.Run(() => ConsumeAsync(q.Key, q.Value.Reader, stoppingToken), stoppingToken)));

    private async Task ConsumeAsync(string cameraId, ChannelReader<PooledFrame> reader, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var item in reader.ReadAllAsync(cancellationToken))
            {
                try
                {
                    await _sink.ProcessAsync(item.Frame, cancellationToken);
                    _counters.Frame(cameraId, IngressCounters.FrameOutcome.Processed);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // One bad frame (corrupt JPEG, model error) must not stop the camera.
                    _counters.Frame(cameraId, IngressCounters.FrameOutcome.Failed);
                    LogFrameFailed(e, cameraId, item.Frame.CapturedAt);
                }
                finally
                {
                    item.Release();
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private sealed record PooledFrame(CameraFrame Frame, byte[] Buffer)
    {
        public void Release() => ArrayPool<byte>.Shared.Return(Buffer);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Frame from camera {CameraId} rejected: {Problem}")]
    private partial void LogFrameRejected(string cameraId, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Frame from camera {CameraId} captured at {CapturedAt} failed in the pipeline")]
    private partial void LogFrameFailed(Exception exception, string cameraId, DateTimeOffset capturedAt);
}
