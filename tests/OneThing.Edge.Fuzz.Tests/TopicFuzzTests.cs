using OneThing.Edge.Messaging;
using Xunit;
using Xunit.Abstractions;

namespace OneThing.Edge.Fuzz.Tests;

/// <summary>Topic parsing: mutated gateway topics and random strings are a frame, a report or nothing.</summary>
public sealed class TopicFuzzTests(ITestOutputHelper output)
{
    private const int Inputs = 20_000;

    [Fact]
    public async Task Every_topic_parses_to_a_known_kind_or_to_nothing()
    {
        var topics = new TopicContract("onething", "site-1");
        string[] seeds = [topics.Frames("cam-1"), topics.Reports("pda-7"), topics.Receipts("pda-7"), topics.GatewayStatus, topics.InstanceStatus("gateway-a"), topics.Frames("+"), "$share/g/" + topics.ReportsFilter];
        var seed = FuzzSeed.For(8_003, output);
        var mutator = new Mutator(seed);
        var tally = new Tally("Topic contract", seed, output);

        await tally.RunAsync(Inputs, i =>
        {
            var topic = (i % 3) switch
            {
                0 => mutator.MutateString(mutator.Pick(seeds)),
                1 => topics.Frames(mutator.NastyString()),
                _ => string.Join('/', Enumerable.Range(0, mutator.Random.Next(1, 8)).Select(_ => mutator.Pick(["onething", "site-1", "cameras", "pda", "frames", "reports", "+", "#", "", mutator.NastyString()]))),
            };
            var parsed = topics.Parse(topic);
            if (parsed is { } inbound)
            {
                // Anything accepted must round-trip: the id is a single, wildcard-free topic level.
                Assert.True(TopicContract.IsId(inbound.SourceId));
                Assert.Equal(topic, inbound.Kind == InboundKind.Frame ? topics.Frames(inbound.SourceId) : topics.Reports(inbound.SourceId));
            }
            return parsed?.Kind.ToString() ?? "not-ours";
        });

        Assert.True(tally.Outcomes.Count == 3, "outcomes: " + string.Join(", ", tally.Outcomes.Keys) + tally.Replay);
    }
}
