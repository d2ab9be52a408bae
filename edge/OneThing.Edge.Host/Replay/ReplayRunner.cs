using System.Diagnostics;
using System.Globalization;
using OneThing.Edge.Domain.Frames;
using OneThing.Edge.Host.Cases;
using OneThing.Edge.Host.Pipeline;
using OneThing.Edge.Storage;
using OneThing.Edge.Storage.Cases;

namespace OneThing.Edge.Host.Replay;

/// <summary>What a replay measured: the score, the cases, and how long each frame's decision took.</summary>
public sealed record ReplayResult(
    ReplayScore Score, IReadOnlyList<CaseSummary> Cases, int Frames, long GatedFrames, IReadOnlyList<double> FrameMilliseconds, string DataDirectory)
{
    public double MeanMs => FrameMilliseconds.Count == 0 ? 0 : FrameMilliseconds.Average();

    public double P95Ms
    {
        get
        {
            if (FrameMilliseconds.Count == 0)
            {
                return 0;
            }
            var sorted = FrameMilliseconds.Order().ToArray();
            return sorted[(int)Math.Ceiling(0.95 * sorted.Length) - 1];
        }
    }
}

/// <summary>
/// Runs a scenario through the gateway's real pipeline (decode, models, engine, evidence, SQLite) frame by frame with
/// the scenario's capture times, without the broker or the traffic system: the same decisions as live, in seconds.
/// </summary>
public static class ReplayRunner
{
    public static async Task<ReplayResult> RunAsync(
        Scenario scenario, string samplesDirectory, IEnumerable<string> overrides, IEnumerable<string> configFiles, string? dataDirectory,
        IProgress<int>? progress, CancellationToken cancellationToken, Func<CancellationToken, Task>? betweenFrames = null)
    {
        var data = dataDirectory ?? Path.Combine(Path.GetTempPath(), "onething-replay-" + Guid.NewGuid().ToString("N")[..8]);
        var settings = CameraSettings(scenario).Append(("OneThing:DataDirectory", data)).Append(("Serilog:MinimumLevel:Default", "Error"))
            // A replay keeps no footage of its own frames.
            .Append(("OneThing:Footage:Enabled", "false"));
        var args = settings.Select(kv => $"--{kv.Item1}={kv.Item2}").Concat(ExpandOverrides(scenario, overrides)).ToArray();
        await using var app = GatewayApp.Build(args, configFiles);
        var services = app.Services;
        await services.GetRequiredService<SqliteDatabase>().MigrateAsync(cancellationToken);
        await services.GetRequiredService<CaseService>().StartAsync(cancellationToken);
        var analyser = services.GetRequiredService<FrameAnalyser>();
        var queue = services.GetRequiredService<RecordingQueue>();
        var recording = services.GetRequiredService<CaseRecording>();

        var timings = new List<double>();
        var sequence = 0L;
        foreach (var (image, capturedAt) in scenario.Frames(samplesDirectory))
        {
            // A what-if in a running gateway gives way to live analysis here.
            if (betweenFrames is not null)
            {
                await betweenFrames(cancellationToken);
            }
            var started = Stopwatch.GetTimestamp();
            await analyser.ProcessAsync(new CameraFrame(scenario.Camera.Id, capturedAt, image, sequence++, capturedAt), cancellationToken);
            // The recording stage's own code, run here frame by frame: a replay's cases are all stored when it ends.
            while (queue.Reader.TryRead(out var analysed))
            {
                await recording.RecordAsync(analysed, cancellationToken);
            }
            timings.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            progress?.Report(timings.Count);
        }

        var cases = await services.GetRequiredService<CaseRecorder>().CasesAsync(openOnly: false, cancellationToken);
        var gated = analyser.Cameras.TryGetValue(scenario.Camera.Id, out var camera) ? camera.GatedFrames : 0;
        return new ReplayResult(ReplayScore.Of(scenario.Expected, cases), cases, timings.Count, gated, timings, data);
    }

    /// <summary>The scenario's camera and lanes as configuration keys (so --set can override any of them).</summary>
    private static IEnumerable<(string, string)> CameraSettings(Scenario scenario)
    {
        var camera = scenario.Camera;
        yield return ("OneThing:Cameras:0:Id", camera.Id);
        for (var j = 0; j < camera.Lanes.Count; j++)
        {
            var lane = camera.Lanes[j];
            var key = $"OneThing:Cameras:0:Lanes:{j}";
            yield return ($"{key}:Id", lane.Id);
            for (var p = 0; p < lane.Polygon.Count; p++)
            {
                yield return ($"{key}:Polygon:{p}:0", lane.Polygon[p][0].ToString(CultureInfo.InvariantCulture));
                yield return ($"{key}:Polygon:{p}:1", lane.Polygon[p][1].ToString(CultureInfo.InvariantCulture));
            }
            yield return ($"{key}:StopSeconds", lane.StopSeconds.ToString(CultureInfo.InvariantCulture));
            yield return ($"{key}:ConfirmSeconds", lane.ConfirmSeconds.ToString(CultureInfo.InvariantCulture));
            yield return ($"{key}:CooldownMinutes", lane.CooldownMinutes.ToString(CultureInfo.InvariantCulture));
            yield return ($"{key}:MinOverlap", lane.MinOverlap.ToString(CultureInfo.InvariantCulture));
        }
    }

    /// <summary>`--set StopSeconds=10` applies to every lane of the scenario; `--set OneThing:...=v` sets that key.</summary>
    private static IEnumerable<string> ExpandOverrides(Scenario scenario, IEnumerable<string> overrides)
    {
        foreach (var pair in overrides)
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new ArgumentException($"--set expects Key=Value, got '{pair}'");
            }
            var key = pair[..eq];
            if (key.Contains(':', StringComparison.Ordinal))
            {
                yield return "--" + pair;
                continue;
            }
            for (var j = 0; j < scenario.Camera.Lanes.Count; j++)
            {
                yield return $"--OneThing:Cameras:0:Lanes:{j}:{key}={pair[(eq + 1)..]}";
            }
        }
    }
}
