using OneThing.Edge.Host.Replay;
using OneThing.Edge.TestKit;
using Xunit;
using Xunit.Abstractions;

namespace OneThing.Edge.EndToEnd.Tests;

/// <summary>Every scenario in tests/scenarios through the real models and pipeline gives exactly its expected cases.</summary>
public sealed class ScenarioReplayTests(ITestOutputHelper output)
{
    private static string ScenarioPath(string name) => Path.Combine(TestPaths.RepoRoot, "tests", "scenarios", name + ".json");

    private static string[] Models => [$"OneThing:Models:Directory={TestPaths.Models}"];

    /// <summary>Each scenario with the motion gate on (the default) and off: the gate must not change a decision.</summary>
    public static TheoryData<string, bool> Scenarios()
    {
        var data = new TheoryData<string, bool>();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(TestPaths.RepoRoot, "tests", "scenarios"), "*.json").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileNameWithoutExtension(file), true);
            data.Add(Path.GetFileNameWithoutExtension(file), false);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public async Task The_scenario_gives_its_expected_cases_with_the_right_plates(string name, bool motionGate)
    {
        var scenario = Scenario.Load(ScenarioPath(name));
        string[] settings = [.. Models, $"OneThing:Pipeline:MotionGate:Enabled={motionGate}"];
        var result = await ReplayRunner.RunAsync(scenario, TestPaths.Samples, settings, [], null, null, CancellationToken.None);

        foreach (var outcome in result.Score.Outcomes)
        {
            output.WriteLine($"{outcome.Expected?.Label ?? "-"} -> {outcome.Actual?.Plate ?? "-"} {outcome.Verdict}");
        }
        output.WriteLine($"precision {result.Score.Precision} recall {result.Score.Recall} plates {result.Score.PlateAccuracy}; {result.Frames} frames, {result.GatedFrames} gated, mean {result.MeanMs:0.0} ms, p95 {result.P95Ms:0.0} ms");
        Assert.Equal(1.0, result.Score.Precision);
        Assert.Equal(1.0, result.Score.Recall);
        Assert.Equal(1.0, result.Score.PlateAccuracy);
        Assert.Equal(scenario.Expected.Count(e => e.Confirmed), result.Cases.Count);
        Assert.Equal(scenario.FrameCount(TestPaths.Samples), result.Frames);
        // Still images held for seconds: the gate skips the detector on some of their frames, and never when it is off
        // (a clip's quiet stretches may be gated too, within the keep-alive time).
        var stillStretches = scenario.Segments.Any(s => s.Image is not null || s.Empty);
        Assert.True(motionGate ? result.GatedFrames > 0 || !stillStretches : result.GatedFrames == 0, $"{result.GatedFrames} frames gated");
    }

    [Fact]
    public async Task A_threshold_tried_with_set_changes_the_outcome_and_the_score_shows_it()
    {
        // Confirming only after 120 s: the cars' 60 s in the lane are no longer a violation.
        var scenario = Scenario.Load(ScenarioPath("sidewalk-two-cars"));
        var result = await ReplayRunner.RunAsync(scenario, TestPaths.Samples, [.. Models, "ConfirmSeconds=120"], [], null, null, CancellationToken.None);

        Assert.Empty(result.Cases);
        Assert.Equal(0.0, result.Score.Recall);
        Assert.All(result.Score.Outcomes, o => Assert.Equal("missed", o.Verdict));
        Assert.False(result.Score.Perfect);
    }
}
