using System.Buffers;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using OneThing.Edge.Domain.Frames;
using OneThing.Edge.Messaging;
using OneThing.Edge.Messaging.Frames;
using Xunit;
using Xunit.Abstractions;

namespace OneThing.Edge.Fuzz.Tests;

/// <summary>Frame ingress: random camera ids, payloads and the `captured-at` / `seq` user properties.</summary>
public sealed class FrameIngressFuzzTests(ITestOutputHelper output)
{
    private const int Inputs = 20_000;
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);

    private sealed class DiscardingSink : IFrameSink
    {
        public ValueTask ProcessAsync(CameraFrame frame, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }

    [Fact]
    public async Task Every_frame_is_queued_or_turned_away_with_a_reason_and_counted()
    {
        using var counters = new IngressCounters();
        var ingress = new FrameIngress(["cam-1", "cam-2"], new DiscardingSink(), counters, new MqttOptions { FrameQueueCapacity = 4, MaxFrameBytes = 4096 },
            new FakeTimeProvider(Now), NullLogger<FrameIngress>.Instance);
        using var stop = new CancellationTokenSource();
        await ingress.StartAsync(stop.Token);
        var seed = FuzzSeed.For(8_002, output);
        var mutator = new Mutator(seed);
        var tally = new Tally("Frame ingress", seed, output);
        const string capturedAt = "2026-11-23T07:59:59.123Z";

        await tally.RunAsync(Inputs, i =>
        {
            var camera = (i % 5) switch { 0 => mutator.NastyString(), 1 => mutator.MutateString("cam-1"), _ => mutator.Pick(["cam-1", "cam-2"]) };
            var payload = mutator.Random.Next(10) == 0 ? new byte[mutator.Random.Next(4000, 9000)] : mutator.RandomBytes(64);
            var captured = mutator.Random.Next(4) switch { 0 => null, 1 => capturedAt, 2 => mutator.MutateString(capturedAt), _ => mutator.NastyString() };
            var seq = mutator.Random.Next(3) switch { 0 => null, 1 => mutator.Random.NextInt64().ToString(System.Globalization.CultureInfo.InvariantCulture), _ => mutator.NastyString() };
            return ingress.Offer(camera, new ReadOnlySequence<byte>(payload), captured, seq).ToString();
        });
        await stop.CancelAsync();
        await ingress.StopAsync(CancellationToken.None);

        // Queued, UnknownCamera, Rejected all reached
        Assert.True(tally.Outcomes.Count == 3, "outcomes: " + string.Join(", ", tally.Outcomes.Keys) + tally.Replay);
        var known = counters.Camera("cam-1");
        var other = counters.Camera("cam-2");
        // Every frame of a known camera is counted as received, and every rejection as rejected.
        Assert.True(tally.Outcomes["Queued"] + tally.Outcomes["Rejected"] == known.Received + other.Received, $"received {known.Received + other.Received}, queued+rejected {tally.Outcomes["Queued"] + tally.Outcomes["Rejected"]}{tally.Replay}");
        Assert.True(tally.Outcomes["Rejected"] == known.Rejected + other.Rejected, $"rejected counted {known.Rejected + other.Rejected}, seen {tally.Outcomes["Rejected"]}{tally.Replay}");
    }
}
