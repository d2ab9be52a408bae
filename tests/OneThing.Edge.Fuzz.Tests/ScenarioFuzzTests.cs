using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OneThing.Edge.Host.Replay;
using Xunit;
using Xunit.Abstractions;

namespace OneThing.Edge.Fuzz.Tests;

/// <summary>
/// Scenario files (`Scenario.Load`, the replay tool's input): structure-aware mutations of the scenarios in
/// tests/scenarios, byte-level mutations of their text, and random bytes. A file loads, or is refused with
/// <see cref="JsonException"/> (not JSON, or a value of the wrong type) or <see cref="InvalidDataException"/> (empty).
/// </summary>
public sealed class ScenarioFuzzTests(ITestOutputHelper output)
{
    private const int Inputs = 10_000;
    private static readonly string[] Keys = ["name", "start", "camera", "segments", "expected"];
    private static readonly string[] SegmentKeys = ["image", "video", "empty", "seconds", "intervalSeconds", "every", "width", "height", "brightness", "masks"];

    private static JsonNode? RandomValue(Mutator m) => m.Random.Next(9) switch
    {
        0 => null,
        1 => JsonValue.Create(m.Random.Next(2) == 0),
        2 => JsonValue.Create(m.Pick<double>([0, -1, 0.5, 1e308, -1e308, double.Epsilon, 86400, int.MaxValue, long.MaxValue])),
        3 => new JsonArray(JsonValue.Create(1), JsonValue.Create("x"), null),
        4 => new JsonObject { ["k"] = "v" },
        5 => JsonValue.Create(m.NastyString()),
        6 => JsonValue.Create(m.Guid().ToString()),
        7 => new JsonArray(new JsonArray(JsonValue.Create(0.1f), JsonValue.Create(0.2f)), new JsonArray()),
        _ => JsonValue.Create(m.MutateString("2026-03-02T09:00:00Z")),
    };

    private static string StructuredMutation(Mutator m, JsonObject[] seeds)
    {
        var scenario = (JsonObject)m.Pick(seeds).DeepClone();
        for (var steps = m.Random.Next(1, 4); steps > 0; steps--)
        {
            switch (m.Random.Next(6))
            {
                case 0: // a top-level value replaced: type swaps, null, odd numbers and strings
                    scenario[m.Pick(Keys)] = RandomValue(m);
                    break;
                case 1:
                    scenario.Remove(m.Pick(Keys));
                    break;
                case 2 when scenario["segments"] is JsonArray { Count: > 0 } segments: // one segment field
                    if (segments[m.Random.Next(segments.Count)] is JsonObject segment)
                    {
                        segment[m.Pick(SegmentKeys)] = RandomValue(m);
                    }
                    else
                    {
                        segments[m.Random.Next(segments.Count)] = RandomValue(m);
                    }
                    break;
                case 3: // segments: none, or null and non-object entries among them
                    scenario["segments"] = m.Random.Next(2) == 0 ? new JsonArray() : new JsonArray(RandomValue(m), new JsonObject { ["empty"] = true, ["seconds"] = RandomValue(m) });
                    break;
                case 4 when scenario["camera"] is JsonObject camera: // the camera and its lanes (parsed as CameraOptions)
                    camera[m.Pick(["id", "lanes", "streamUrl"])] = RandomValue(m);
                    break;
                default: // deep nesting in a field
                    JsonNode? node = RandomValue(m);
                    for (var i = m.Random.Next(1, 100); i > 0; i--)
                    {
                        node = new JsonArray(node);
                    }
                    scenario[m.Pick(Keys)] = node;
                    break;
            }
        }
        return scenario.ToJsonString();
    }

    [Fact]
    public async Task Every_scenario_file_loads_or_is_refused_with_a_format_error()
    {
        var texts = Directory.GetFiles(Path.Combine(TestKit.TestPaths.RepoRoot, "tests", "scenarios"), "*.json").Order(StringComparer.Ordinal).Select(File.ReadAllText).ToArray();
        Assert.NotEmpty(texts);
        var documentOptions = new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };
        var seeds = texts.Select(t => (JsonObject)JsonNode.Parse(t, documentOptions: documentOptions)!).ToArray();
        var directory = TestKit.TestPaths.NewTempDirectory("onething-fuzz-scenario");
        var path = Path.Combine(directory, "scenario.json");
        File.WriteAllText(path, texts[0]);
        Assert.NotEmpty(Scenario.Load(path).Segments); // the seed scenarios themselves load

        var seed = FuzzSeed.For(8_006, output);
        var mutator = new Mutator(seed);
        var tally = new Tally("Scenario file", seed, output);
        try
        {
            await tally.RunAsync(Inputs, i =>
            {
                var bytes = (i % 4) switch
                {
                    0 or 1 => Encoding.UTF8.GetBytes(StructuredMutation(mutator, seeds)),
                    2 => mutator.Mutate(Encoding.UTF8.GetBytes(mutator.Pick(texts))),
                    _ => mutator.RandomBytes(512),
                };
                File.WriteAllBytes(path, bytes);
                try
                {
                    var scenario = Scenario.Load(path);
                    // A loaded scenario has no null parts; frame counts of image and empty segments must not throw.
                    Assert.True(scenario.Camera is not null && scenario.Segments.TrueForAll(s => s is not null) && scenario.Expected is not null,
                        "a scenario with a null part loaded" + tally.Replay);
                    _ = scenario.Segments.Where(s => s.Video is null).Sum(s => (long)s.Count(TestKit.TestPaths.Samples));
                    return "loaded";
                }
                catch (JsonException)
                {
                    return "invalid-json";
                }
                catch (InvalidDataException)
                {
                    return "invalid-data";
                }
            });
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }

        Assert.True(tally.Outcomes.GetValueOrDefault("loaded") > 0, "no mutated scenario loaded" + tally.Replay);
        Assert.True(tally.Outcomes.Count >= 3, "fewer than 3 outcomes: " + string.Join(", ", tally.Outcomes.Keys) + tally.Replay);
    }
}
