using OneThing.Edge.Domain.Configuration;
using OneThing.Edge.Host.Configuration;
using Xunit;
using Xunit.Abstractions;

namespace OneThing.Edge.Fuzz.Tests;

/// <summary>Random site configurations through the start-up validation: valid, or errors that each name a key.</summary>
public sealed class SiteOptionsFuzzTests(ITestOutputHelper output)
{
    private const int Inputs = 12_000;

    private static double Number(Mutator m) =>
        m.Pick<double>([0, -1, 0.5, 1, 5, 9.99, 10, 30, 120, 86400, 86401, 10080, 10081, double.NaN, double.PositiveInfinity, double.MinValue, 1e300]);

    private static string Id(Mutator m) => m.Random.Next(3) == 0 ? m.NastyString() : m.Pick(["cam-1", "cam-2", "lane-a", "lane-b", "x", "a.b_c"]);

    private static SiteOptions RandomSite(Mutator m) => new()
    {
        SiteId = Id(m),
        DataDirectory = m.Random.Next(5) == 0 ? m.Pick(["", " ", "\t"]) : "data",
        Cameras = Enumerable.Range(0, m.Random.Next(0, 4)).Select(_ => new CameraOptions
        {
            Id = Id(m),
            Lanes = Enumerable.Range(0, m.Random.Next(0, 3)).Select(_ => new LaneOptions
            {
                Id = Id(m),
                Polygon = Enumerable.Range(0, m.Random.Next(0, 6))
                    .Select(_ => Enumerable.Range(0, m.Random.Next(5) == 0 ? m.Random.Next(0, 4) : 2).Select(_ => m.Random.Next(6) == 0 ? (float)Number(m) : (float)m.Random.NextDouble()).ToArray())
                    .ToList(),
                StopSeconds = Number(m),
                ConfirmSeconds = Number(m),
                CooldownMinutes = Number(m),
                MinOverlap = m.Random.Next(4) == 0 ? Number(m) : m.Random.NextDouble(),
            }).ToList(),
        }).ToList(),
    };

    [Fact]
    public async Task Every_configuration_is_valid_or_fails_with_errors_that_name_the_key()
    {
        var validation = new SiteOptionsValidation();
        var seed = FuzzSeed.For(8_005, output);
        var mutator = new Mutator(seed);
        var tally = new Tally("Site configuration", seed, output);

        await tally.RunAsync(Inputs, _ =>
        {
            var result = validation.Validate(null, RandomSite(mutator));
            if (result.Succeeded)
            {
                return "valid";
            }
            var failures = result.Failures!.ToList();
            Assert.NotEmpty(failures);
            Assert.All(failures, f => Assert.StartsWith("OneThing:", f, StringComparison.Ordinal));
            // The outcome code is the kind of key at fault (SiteId, Polygon, StopSeconds, ...), from the first error.
            var key = failures[0].Split(' ')[0];
            var leaf = key.Split(':').Last();
            return "invalid:" + (int.TryParse(leaf, out _) ? key.Split(':')[^2] : leaf);
        });

        Assert.True(tally.Outcomes.GetValueOrDefault("valid") > 0, "no valid configuration" + tally.Replay);
        Assert.True(tally.Outcomes.Count >= 6, "fewer than 6 outcomes: " + string.Join(", ", tally.Outcomes.Keys) + tally.Replay);
    }
}
