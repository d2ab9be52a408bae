using System.CommandLine;
using System.Globalization;
using OneThing.Edge.Host.Replay;
using Spectre.Console;

namespace OneThing.Edge.Host.Cli;

/// <summary>
/// `onething-edge replay`: the operators' tuning tool. Plays a scenario's frames with their capture times through the
/// real pipeline and scores the cases against the expected ones, so a threshold can be tried before it goes live.
/// </summary>
public static class ReplayVerb
{
    /// <summary>Exit code with --require-perfect when precision, recall or plate accuracy is below 1.</summary>
    public const int BelowExpectation = 3;

    public static Command Build()
    {
        var scenario = new Argument<string>("scenario") { Description = "Scenario JSON (see tests/scenarios)" };
        var set = new Option<string[]>("--set") { Description = "Try a value: --set StopSeconds=20 (every lane) or --set OneThing:Key=value", AllowMultipleArgumentsPerToken = true };
        var config = new Option<string[]>("--config") { Description = "Extra JSON configuration file(s)" };
        var samples = new Option<string?>("--samples") { Description = "Folder the scenario's image and video paths are relative to (default: ONETHING_SAMPLES, else ../shared/samples)" };
        var data = new Option<string?>("--data") { Description = "Keep the replay's database and evidence here (default: a temp folder)" };
        var requirePerfect = new Option<bool>("--require-perfect") { Description = $"Exit {BelowExpectation} unless precision, recall and plate accuracy are all 1.0" };
        var command = new Command("replay", "Replay recorded frames through the pipeline and score precision, recall, plate accuracy and decision latency.")
        {
            scenario, set, config, samples, data, requirePerfect,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var path = parse.GetValue(scenario)!;
            Scenario loaded;
            try
            {
                loaded = Scenario.Load(path);
            }
            catch (Exception e) when (e is IOException or InvalidDataException or System.Text.Json.JsonException)
            {
                await Console.Error.WriteLineAsync($"{path}: {e.Message}");
                return 2;
            }
            var samplesDir = parse.GetValue(samples) ?? DefaultSamples();
            var total = loaded.FrameCount(samplesDir);
            ReplayResult? result = null;
            try
            {
                await AnsiConsole.Progress().AutoClear(true).StartAsync(async progress =>
                {
                    var task = progress.AddTask($"replay {loaded.Name}", maxValue: total);
                    result = await ReplayRunner.RunAsync(loaded, samplesDir, parse.GetValue(set) ?? [], parse.GetValue(config) ?? [], parse.GetValue(data),
                        new Progress<int>(n => task.Value = n), cancellationToken);
                });
            }
            catch (Microsoft.Extensions.Options.OptionsValidationException e)
            {
                foreach (var failure in e.Failures)
                {
                    await Console.Error.WriteLineAsync($"Configuration error: {failure}");
                }
                return RunVerb.ConfigurationError;
            }
            catch (Exception e) when (e is InvalidDataException or ArgumentException)
            {
                await Console.Error.WriteLineAsync($"{path}: {e.Message}");
                return 2;
            }
            Print(loaded, result!);
            return parse.GetValue(requirePerfect) && !result!.Score.Perfect ? BelowExpectation : 0;
        });
        return command;
    }

    private static string DefaultSamples() =>
        Environment.GetEnvironmentVariable("ONETHING_SAMPLES") is { Length: > 0 } env ? env
        : Environment.GetEnvironmentVariable("ONETHING_SHARED") is { Length: > 0 } shared ? Path.Combine(shared, "samples")
        : Path.GetFullPath(Path.Combine("..", "shared", "samples"));

    private static void Print(Scenario scenario, ReplayResult result)
    {
        var table = new Table().Title($"[bold]{Markup.Escape(scenario.Name)}[/]: {result.Frames} frames, camera {Markup.Escape(scenario.Camera.Id)}")
            .AddColumns("expected", "gateway", "plate", "stopped -> confirmed", "verdict");
        foreach (var outcome in result.Score.Outcomes)
        {
            var actual = outcome.Actual;
            table.AddRow(
                Markup.Escape(outcome.Expected?.Label ?? "-"),
                actual is null ? "-" : Markup.Escape($"{actual.LaneId} {actual.Id.ToString()[^8..]}"),
                Markup.Escape(actual?.Plate ?? "-"),
                actual is null ? "-" : $"{(actual.ConfirmedAt - actual.FirstSeenAt).TotalSeconds:0} s",
                outcome.Verdict is "cited" or "not cited (right)"
                    ? $"[green]{Markup.Escape(outcome.Verdict)}[/]" : $"[red]{Markup.Escape(outcome.Verdict)}[/]");
        }
        AnsiConsole.Write(table);
        var score = result.Score;
        AnsiConsole.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"precision {score.Precision:0.00}  recall {score.Recall:0.00}  plate accuracy {score.PlateAccuracy:0.00}  decision latency per frame: mean {result.MeanMs:0.0} ms, p95 {result.P95Ms:0.0} ms"));
        AnsiConsole.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"vehicle detector ran on {result.Frames - result.GatedFrames} of {result.Frames} frames (the motion gate carried the rest over from a still scene)"));
        AnsiConsole.WriteLine($"database and evidence: {result.DataDirectory}");
    }
}
