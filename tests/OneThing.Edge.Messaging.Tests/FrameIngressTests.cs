using System.Buffers;
using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using OneThing.Edge.Domain.Frames;
using OneThing.Edge.Messaging;
using OneThing.Edge.Messaging.Frames;
using OneThing.Edge.TestKit;
using Xunit;

namespace OneThing.Edge.Messaging.Tests;

public class FrameIngressTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);

    /// <summary>A pipeline that holds each frame until the test releases it: a detector slower than the camera.</summary>
    private sealed class GatedSink : IFrameSink
    {
        public readonly ConcurrentQueue<(string Camera, long? Seq, DateTimeOffset CapturedAt, byte First)> Seen = new();
        public readonly SemaphoreSlim Gate = new(0);

        public async ValueTask ProcessAsync(CameraFrame frame, CancellationToken cancellationToken)
        {
            Seen.Enqueue((frame.CameraId, frame.Sequence, frame.CapturedAt, frame.Image.Span[0]));
            await Gate.WaitAsync(cancellationToken);
        }
    }

    private static (FrameIngress Ingress, IngressCounters Counters, GatedSink Sink) Create(int capacity = 2, FakeTimeProvider? clock = null)
    {
        var counters = new IngressCounters();
        var sink = new GatedSink();
        var ingress = new FrameIngress(["cam-1", "cam-2"], sink, counters, new MqttOptions { FrameQueueCapacity = capacity, MaxFrameBytes = 1000 }, clock ?? new FakeTimeProvider(Now), NullLogger<FrameIngress>.Instance);
        return (ingress, counters, sink);
    }

    private static ReadOnlySequence<byte> Bytes(byte first, int length = 10)
    {
        var data = new byte[length];
        data[0] = first;
        return new ReadOnlySequence<byte>(data);
    }

    [Fact]
    public async Task A_slow_pipeline_drops_the_oldest_frames_and_counts_them_per_camera()
    {
        var (ingress, counters, sink) = Create(capacity: 2);
        using var cts = new CancellationTokenSource();
        await ingress.StartAsync(cts.Token);

        Assert.Equal(FrameAdmission.Queued, ingress.Offer("cam-1", Bytes(1), "2026-11-23T07:59:00.000Z", "1"));
        await Eventually.ReturnsAsync(() => Task.FromResult(sink.Seen.Count), n => n == 1);
        for (byte seq = 2; seq <= 6; seq++)
        {
            ingress.Offer("cam-1", Bytes(seq), null, seq.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        ingress.Offer("cam-2", Bytes(50), null, null);

        // Frame 1 is in the pipeline; of 2..6 only the newest two fit the queue: 3 dropped.
        Assert.Equal(3, counters.Camera("cam-1").Dropped);
        Assert.Equal(0, counters.Camera("cam-2").Dropped);
        Assert.Equal(6, counters.Camera("cam-1").Received);

        sink.Gate.Release(10);
        await Eventually.ReturnsAsync(() => Task.FromResult(counters.Camera("cam-1").Processed), n => n == 3);
        var cam1 = sink.Seen.Where(s => s.Camera == "cam-1").Select(s => s.Seq).ToArray();
        Assert.Equal(new long?[] { 1, 5, 6 }, cam1);
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 7, 59, 0, TimeSpan.Zero), sink.Seen.First().CapturedAt);
        await cts.CancelAsync();
        await ingress.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Frames_without_captured_at_take_the_receive_time()
    {
        var clock = new FakeTimeProvider(Now);
        var (ingress, _, sink) = Create(clock: clock);
        using var cts = new CancellationTokenSource();
        await ingress.StartAsync(cts.Token);
        // The gateway clock moves on after start, so the receive time is neither the start time nor a default.
        clock.Advance(TimeSpan.FromSeconds(3.25));
        var received = clock.GetUtcNow();

        Assert.Equal(FrameAdmission.Queued, ingress.Offer("cam-1", Bytes(1), null, null));
        await Eventually.ReturnsAsync(() => Task.FromResult(sink.Seen.Count), n => n == 1);
        clock.Advance(TimeSpan.FromSeconds(5)); // later clock readings must not change the frame's time
        Assert.Equal(received, Assert.Single(sink.Seen).CapturedAt);

        sink.Gate.Release();
        await cts.CancelAsync();
        await ingress.StopAsync(CancellationToken.None);
    }

    [Fact]
    public void Unknown_cameras_are_counted_and_ignored()
    {
        var (ingress, counters, _) = Create();
        Assert.Equal(FrameAdmission.UnknownCamera, ingress.Offer("cam-9", Bytes(1), null, null));
        Assert.Equal(FrameAdmission.UnknownCamera, ingress.Offer("cam-9", Bytes(1), null, null));
        Assert.Equal(2, counters.UnknownCameras["cam-9"]);
        Assert.False(counters.Cameras.ContainsKey("cam-9"));
    }

    [Theory]
    [InlineData(0, null)]
    [InlineData(1001, null)]
    [InlineData(10, "not a time")]
    [InlineData(10, "2026-11-23T09:00:00Z")] // an hour ahead of the gateway clock
    public void Bad_frames_are_rejected_and_counted(int length, string? capturedAt)
    {
        var (ingress, counters, _) = Create();
        var payload = length == 0 ? ReadOnlySequence<byte>.Empty : Bytes(1, length);
        Assert.Equal(FrameAdmission.Rejected, ingress.Offer("cam-1", payload, capturedAt, null));
        Assert.Equal(1, counters.Camera("cam-1").Rejected);
    }

    [Fact]
    public async Task A_failing_frame_is_counted_and_the_camera_keeps_going()
    {
        var counters = new IngressCounters();
        var failing = new FailingSink();
        var ingress = new FrameIngress(["cam-1"], failing, counters, new MqttOptions(), TimeProvider.System, NullLogger<FrameIngress>.Instance);
        await ingress.StartAsync(CancellationToken.None);
        ingress.Offer("cam-1", Bytes(0), null, null);
        ingress.Offer("cam-1", Bytes(1), null, null);
        await Eventually.ReturnsAsync(() => Task.FromResult(counters.Camera("cam-1").Processed), n => n == 1);
        Assert.Equal(1, counters.Camera("cam-1").Failed);
        await ingress.StopAsync(CancellationToken.None);
    }

    private sealed class FailingSink : IFrameSink
    {
        public ValueTask ProcessAsync(CameraFrame frame, CancellationToken cancellationToken) =>
            frame.Image.Span[0] == 0 ? throw new InvalidDataException("corrupt JPEG") : ValueTask.CompletedTask;
    }
}
