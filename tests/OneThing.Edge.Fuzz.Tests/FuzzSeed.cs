using System.Globalization;
using Xunit.Abstractions;

namespace OneThing.Edge.Fuzz.Tests;

/// <summary>
/// The one seed a fuzz test draws every random choice from. `ONETHING_FUZZ_SEED` (an integer) overrides the test's
/// fixed default, so a failing run is replayed with the seed its failure message prints.
/// </summary>
public static class FuzzSeed
{
    public const string Variable = "ONETHING_FUZZ_SEED";

    public static int For(int defaultSeed, ITestOutputHelper output)
    {
        var text = Environment.GetEnvironmentVariable(Variable);
        var seed = defaultSeed;
        if (!string.IsNullOrWhiteSpace(text))
        {
            if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out seed))
            {
                throw new InvalidOperationException($"{Variable}={text} is not an integer");
            }
        }
        output.WriteLine($"seed {seed} ({(string.IsNullOrWhiteSpace(text) ? "the test's default" : "from " + Variable)}); replay with {Replay(seed)}");
        return seed;
    }

    public static string Replay(int seed) => $"{Variable}={seed}";
}
