using System.Collections.Concurrent;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using OneThing.Edge.Domain;
using OneThing.Edge.Domain.Reports;
using OneThing.Edge.Messaging.Pda;
using OneThing.Edge.Messaging.Transport;
using Xunit;

namespace OneThing.Edge.Messaging.Tests;

/// <summary>The report queue with the real intake and parser over a store that fails a given number of times, then commits.</summary>
public sealed class PdaReportQueueTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly DelayRecordingTime _time = new(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero));
    private readonly FlakyStore _store = new();
    private readonly ReceiptBus _bus = new();
    private readonly IngressCounters _counters = new();
    private PdaReportQueue? _queue;

    private PdaReportQueue Queue => _queue!;

    public Task InitializeAsync() => StartAsync(capacity: 64);

    private async Task StartAsync(int capacity)
    {
        if (_queue is not null)
        {
            await _queue.StopAsync(CancellationToken.None);
            _queue.Dispose();
        }
        var options = new MqttOptions { ReportQueueCapacity = capacity };
        var topics = new TopicContract("onething", "site-1");
        var parser = new PdaReportParser(options, () => new HashSet<string> { "lane-a" }, new AnyImage(), _time);
        var intake = new PdaIntake(parser, _store, new NoCases(), _bus, topics, _counters, _time, NullLogger<PdaIntake>.Instance);
        _queue = new PdaReportQueue(intake, options, _time, NullLogger<PdaReportQueue>.Instance);
        await _queue.StartAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await Queue.StopAsync(CancellationToken.None);
        Queue.Dispose();
        _counters.Dispose();
    }

    [Fact]
    public async Task A_handed_over_report_is_retried_with_back_off_and_acknowledged_once_only_after_its_commit()
    {
        _store.Failures = 3;
        var acknowledged = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var acknowledgements = 0;
        var id = Guid.NewGuid().ToString();

        await Queue.HandOverAsync("pda-1", Report(id), _ =>
        {
            Interlocked.Increment(ref acknowledgements);
            acknowledged.TrySetResult(_store.Committed.Count);
            return Task.CompletedTask;
        }, CancellationToken.None);

        // Each failed attempt is followed by one back-off delay: 0.5 s, then doubled.
        TimeSpan[] expected = [TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)];
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], await _time.NextDelayAsync().WaitAsync(Timeout));
            Assert.False(acknowledged.Task.IsCompleted, "acknowledged before the commit");
            _time.Advance(expected[i]);
        }

        Assert.Equal(1, await acknowledged.Task.WaitAsync(Timeout)); // the commit was there when it was acknowledged
        Assert.Equal(4, _store.Attempts);
        Assert.Equal([id], _store.Committed);
        Assert.Equal(1, acknowledgements);
        Assert.Equal("accepted", (await _bus.NextReceiptAsync().WaitAsync(Timeout)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task The_back_off_doubles_up_to_30_seconds()
    {
        _store.Failures = 8;
        var acknowledged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await Queue.HandOverAsync("pda-1", Report(Guid.NewGuid().ToString()), _ => { acknowledged.TrySetResult(); return Task.CompletedTask; }, CancellationToken.None);

        var delays = new List<TimeSpan>();
        while (delays.Count < 8)
        {
            delays.Add(await _time.NextDelayAsync().WaitAsync(Timeout));
            _time.Advance(delays[^1]);
        }

        await acknowledged.Task.WaitAsync(Timeout);
        Assert.Equal([0.5, 1, 2, 4, 8, 16, 30, 30], delays.Select(d => d.TotalSeconds));
    }

    [Fact]
    public async Task For_the_embedded_broker_the_first_outcome_is_returned_and_not_retried()
    {
        _store.Failures = 2;
        _store.Failure = new StorageFullException("/data", new IOException("No space left on device"));

        Assert.Equal(IntakeOutcome.StorageFull, await Queue.IntakeOnceAsync("pda-1", Report(Guid.NewGuid().ToString()), CancellationToken.None).WaitAsync(Timeout));
        _store.Failure = null;
        Assert.Equal(IntakeOutcome.NotStored, await Queue.IntakeOnceAsync("pda-1", Report(Guid.NewGuid().ToString()), CancellationToken.None).WaitAsync(Timeout));
        var third = Guid.NewGuid().ToString();
        Assert.Equal(IntakeOutcome.Committed, await Queue.IntakeOnceAsync("pda-1", Report(third), CancellationToken.None).WaitAsync(Timeout));

        // One worker in order: had a refused report been retried, it would have come before the third.
        Assert.Equal(3, _store.Attempts);
        Assert.Equal([third], _store.Committed);
        Assert.Empty(_time.Delays);
    }

    [Fact]
    public async Task When_the_queue_is_full_the_handing_over_side_waits_and_no_report_is_dropped()
    {
        await StartAsync(capacity: 1);
        _store.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var ids = Enumerable.Range(0, 3).Select(_ => Guid.NewGuid().ToString()).ToArray();
        var acknowledged = new ConcurrentQueue<string>();
        Func<CancellationToken, Task> Acknowledge(string id) => _ => { acknowledged.Enqueue(id); return Task.CompletedTask; };

        await Queue.HandOverAsync("pda-1", Report(ids[0]), Acknowledge(ids[0]), CancellationToken.None);
        await _store.Entered.Reader.ReadAsync().AsTask().WaitAsync(Timeout); // the worker holds the first, in the store
        await Queue.HandOverAsync("pda-1", Report(ids[1]), Acknowledge(ids[1]), CancellationToken.None).AsTask().WaitAsync(Timeout);
        var third = Queue.HandOverAsync("pda-1", Report(ids[2]), Acknowledge(ids[2]), CancellationToken.None).AsTask();
        Assert.False(third.IsCompleted, "the third report was taken although the queue was full");

        _store.Gate.SetResult();
        await third.WaitAsync(Timeout);
        await Eventually(() => acknowledged.Count == 3);
        Assert.Equal(ids, acknowledged);
        Assert.Equal(ids, _store.Committed);
    }

    [Fact]
    public void The_capacity_is_validated()
    {
        static bool Valid(int capacity) =>
            new Microsoft.Extensions.Options.DataAnnotationValidateOptions<MqttOptions>(null).Validate(null, new MqttOptions { ReportQueueCapacity = capacity }).Succeeded;
        Assert.False(Valid(0));
        Assert.True(Valid(1));
        Assert.True(Valid(64));
        Assert.False(Valid(65536)); // the broker's Receive Maximum is a 16-bit number
    }

    private static async Task Eventually(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached");
            await Task.Delay(10);
        }
    }

    private byte[] Report(string reportId) => JsonSerializer.SerializeToUtf8Bytes(new
    {
        reportId,
        officerId = "officer-9",
        plate = "浙A12345",
        laneId = "lane-a",
        observedAt = _time.GetUtcNow().AddSeconds(-30),
        photos = new[] { new { contentType = "image/jpeg", data = Convert.ToBase64String([0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3]) } },
    });

    /// <summary>Fails <see cref="Failures"/> times (database locked, unless told otherwise), then commits; waits at <see cref="Gate"/> first.</summary>
    private sealed class FlakyStore : IPdaReportStore
    {
        private readonly ConcurrentQueue<string> _committed = new();
        private int _attempts;

        public int Failures { get; set; }
        public Exception? Failure { get; set; }
        public TaskCompletionSource? Gate { get; set; }
        public Channel<int> Entered { get; } = Channel.CreateUnbounded<int>();
        public int Attempts => Volatile.Read(ref _attempts);
        public IReadOnlyList<string> Committed => [.. _committed];

        public async Task<PdaSaveResult> SaveAsync(PdaReport report, CancellationToken cancellationToken)
        {
            var attempt = Interlocked.Increment(ref _attempts);
            Entered.Writer.TryWrite(attempt);
            if (Gate is { } gate)
            {
                await gate.Task.WaitAsync(cancellationToken);
            }
            if (attempt <= Failures)
            {
                throw Failure ?? new InvalidOperationException("SQLite Error 5: 'database is locked'.");
            }
            _committed.Enqueue(report.ReportId);
            return new PdaSaveResult(IsDuplicate: false, ViolationId: null);
        }

        public Task RecordRejectionAsync(string deviceId, string? reportId, string code, string reason, ReadOnlyMemory<byte> payload, DateTimeOffset receivedAt, CancellationToken cancellationToken) =>
            throw new InvalidOperationException($"unexpected rejection {code}: {reason}");
    }

    /// <summary>Fake time that also tells the test each delay the queue starts, so it advances exactly past it.</summary>
    private sealed class DelayRecordingTime(DateTimeOffset start) : FakeTimeProvider(start)
    {
        private readonly Channel<TimeSpan> _delays = Channel.CreateUnbounded<TimeSpan>();

        public List<TimeSpan> Delays { get; } = [];

        public Task<TimeSpan> NextDelayAsync() => _delays.Reader.ReadAsync().AsTask();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = base.CreateTimer(callback, state, dueTime, period);
            lock (Delays)
            {
                Delays.Add(dueTime);
            }
            _delays.Writer.TryWrite(dueTime);
            return timer;
        }
    }

    private sealed class ReceiptBus : IGatewayBus
    {
        private readonly Channel<JsonElement> _receipts = Channel.CreateUnbounded<JsonElement>();

        public bool IsConnected => true;

        public Task<JsonElement> NextReceiptAsync() => _receipts.Reader.ReadAsync().AsTask();

        public Task PublishAsync(string topic, ReadOnlyMemory<byte> payload, bool retain, CancellationToken cancellationToken)
        {
            _receipts.Writer.TryWrite(JsonDocument.Parse(payload).RootElement.Clone());
            return Task.CompletedTask;
        }
    }

    private sealed class NoCases : IPdaReportSink
    {
        public ValueTask<string?> TaskRefusalAsync(PdaReport report, CancellationToken cancellationToken) => ValueTask.FromResult<string?>(null);

        public ValueTask AcceptedAsync(PdaReport report, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }

    private sealed class AnyImage : IImageProbe
    {
        public string? Problem(ReadOnlySpan<byte> data, int maxSide) => null;
    }
}
