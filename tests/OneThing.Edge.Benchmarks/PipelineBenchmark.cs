using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Options;
using OneThing.Edge.Host.Pipeline;
using OneThing.Edge.TestKit;
using OneThing.Edge.Vision;

namespace OneThing.Edge.Benchmarks;

/// <summary>
/// Cameras at 1 fps through the embedded broker into the in-process gateway (full pipeline: ingress, decode, detect,
/// lanes, tracking, dwell, plate reads, evidence, SQLite), ramped until 1 % of frames are lost (skipped by a camera the
/// gateway reads too slowly, or dropped from a full queue): once with
/// the motion gate off (the detector on every frame), once with it on and scenes that change. The raw vehicle model is
/// measured in the same run, before and after the ramps, so the ratio holds on a shared machine.
/// </summary>
public static class PipelineBenchmark
{
    private const double MaxDropPercent = 1.0;
    private const string GateOff = "motion gate off";
    private const string GateOn = "motion gate on";

    public static async Task<int> RunAsync(string[] args, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        var inv = CultureInfo.InvariantCulture;
        var seconds = Option(args, "--seconds", 30);
        var sceneSeconds = Option(args, "--scene-seconds", 120);
        int[] Levels(string name, string fallback) => (OptionText(args, name) ?? fallback).Split(',').Select(s => int.Parse(s, inv)).ToArray();
        var gate = OptionText(args, "--gate") ?? "both";
        var warmup = Option(args, "--warmup-seconds", 30);
        var overrides = Settings(args);

        var rawBefore = RawModelFramesPerSecond(TimeSpan.FromSeconds(5));
        await output.WriteLineAsync(string.Create(inv,
            $"pipeline benchmark: 1280x720 JPEG at 1 fps per camera from a separate publisher process, {seconds} s per level after a {warmup} s warm-up at the first level, {Environment.ProcessorCount} cores; raw vehicle model {rawBefore:0.0} frames/s{string.Concat(overrides.Select(o => $"; {o.Key} = {o.Value}"))}"));
        Ramp? off = null, on = null;
        if (gate is "off" or "both")
        {
            await output.WriteLineAsync();
            await output.WriteLineAsync(string.Create(inv, $"Motion gate off: the detector runs on every frame; {Scenes(sceneSeconds)}."));
            off = await RampAsync(Levels("--cameras", "64,80,96,112,128,144"), motionGate: false, new(seconds, sceneSeconds, warmup, overrides), output, cancellationToken);
        }
        if (gate is "on" or "both")
        {
            await output.WriteLineAsync();
            await output.WriteLineAsync(string.Create(inv, $"Motion gate on: {Scenes(sceneSeconds)}; the detector still runs every {KeepAliveSeconds(overrides)} s on a still scene."));
            on = await RampAsync(Levels("--gated-cameras", "96,128,160,192,224,256"), motionGate: true, new(seconds, sceneSeconds, warmup, overrides), output, cancellationToken);
        }

        var rawAfter = RawModelFramesPerSecond(TimeSpan.FromSeconds(5));
        var raw = (rawBefore + rawAfter) / 2;
        await output.WriteLineAsync();
        foreach (var (label, ramp) in new[] { (GateOff, off), (GateOn, on) })
        {
            if (ramp is not null)
            {
                await output.WriteLineAsync(string.Create(inv,
                    $"{label}: sustained {ramp.Sustained} cameras at 1 fps with < {MaxDropPercent} % of frames skipped or dropped; peak {ramp.Best:0.0} analysed frames/s, {ramp.BestDetected:0.0} of them through the detector"));
            }
        }
        if (off is not null)
        {
            await output.WriteLineAsync(string.Create(inv,
                $"full pipeline ({GateOff}) peak {off.BestDetected:0.0} detected frames/s vs raw vehicle model {raw:0.0} frames/s (before {rawBefore:0.0}, after {rawAfter:0.0}): {100 * off.BestDetected / raw:0} %"));
        }
        await WriteTargetsAsync(output, raw, off, on);
        return 0;
    }

    /// <summary>Issue 16's targets, each a ratio or a figure from this run, so no second machine or run is needed.</summary>
    private static async Task WriteTargetsAsync(TextWriter output, double raw, Ramp? off, Ramp? on)
    {
        var inv = CultureInfo.InvariantCulture;
        string Met(bool met) => met ? "met" : "NOT met";
        await output.WriteLineAsync();
        if (off is not null)
        {
            var ratio = off.Sustained / raw;
            await output.WriteLineAsync(string.Create(inv, $"target: cameras sustained with the gate off / raw model runs/s = {off.Sustained} / {raw:0.0} = {ratio:0.00}x (>= 0.8x: {Met(ratio >= 0.8)})"));
        }
        if (off is { Sustained: > 0 } && on is not null)
        {
            var ratio = on.Sustained / (double)off.Sustained;
            await output.WriteLineAsync(string.Create(inv, $"target: cameras sustained with the gate on / off = {on.Sustained} / {off.Sustained} = {ratio:0.00}x (>= 3x: {Met(ratio >= 3)})"));
        }
        foreach (var (label, ramp) in new[] { (GateOff, off), (GateOn, on) })
        {
            if (ramp?.AtSustained is not { } at)
            {
                continue;
            }
            await output.WriteLineAsync(at.Sms == 0
                ? string.Create(inv, $"target: {label}, confirmation -> SMS p99 at the sustained level ({ramp.Sustained} cameras): no SMS in that level, not measured")
                : string.Create(inv, $"target: {label}, confirmation -> SMS p99 at the sustained level ({ramp.Sustained} cameras, {at.Sms} SMS) = {at.SmsP99Ms:0} ms (<= 1000 ms: {Met(at.SmsP99Ms <= 1000)})"));
        }
        if (on?.AtSustained is { } gated)
        {
            await output.WriteLineAsync(string.Create(inv, $"target: resident memory at the gated sustained level ({on.Sustained} cameras) = {gated.ResidentMiB:0} MiB (<= 1024 MiB: {Met(gated.ResidentMiB <= 1024)})"));
        }
    }

    private static string Scenes(double sceneSeconds) => sceneSeconds > 0
        ? string.Create(CultureInfo.InvariantCulture, $"each camera's scene changes every {sceneSeconds} s (cars leave, others park and are cited), staggered across cameras")
        : "each camera shows one still scene of parked cars";

    private sealed record Ramp(int Sustained, double Best, double BestDetected, SustainedLevel? AtSustained);

    /// <summary>What the last sustained level cost: the latency and memory targets are set at that level.</summary>
    private sealed record SustainedLevel(int Sms, double SmsP99Ms, double ResidentMiB);

    /// <summary>How each level of a ramp runs.</summary>
    /// <param name="Seconds">Each level's length.</param>
    /// <param name="SceneSeconds">How often a camera's scene changes (0: still scenes).</param>
    /// <param name="Warmup">
    /// Seconds the first level's cameras publish before anything is measured: the process's JIT settles and the cars
    /// of the first scenes stop and are cited, as at a site that has been running. A later level's added cameras still
    /// start at once with their cars.
    /// </param>
    /// <param name="Overrides">Gateway settings given with --set Key=Value.</param>
    private sealed record RampRun(int Seconds, double SceneSeconds, int Warmup, IReadOnlyList<KeyValuePair<string, string>> Overrides);

    private static async Task<Ramp> RampAsync(int[] levels, bool motionGate, RampRun run, TextWriter output, CancellationToken cancellationToken)
    {
        var inv = CultureInfo.InvariantCulture;
        var processRows = new List<string>();
        var sustained = 0;
        var best = 0.0;
        var bestDetected = 0.0;
        SustainedLevel? atSustained = null;
        using var stages = new StageClock();
        var (seconds, sceneSeconds) = (run.Seconds, run.SceneSeconds);
        await using var rig = await LoadRig.StartAsync(levels.Max(), motionGate, run.Overrides);
        await rig.PublishAsync(levels[0], TimeSpan.FromSeconds(run.Warmup), cancellationToken, sceneSeconds);
        var drained = await DrainAsync(rig, levels.Max(), cancellationToken);
        await output.WriteLineAsync(string.Create(inv, $"warm-up's backlog (frames, cases to record, SMS to send) done {drained:0.0} s after it"));
        await output.WriteLineAsync("| cameras | offered fps | analysed fps | detector fps | skipped at camera % | dropped at gateway % | queued at end | failed | frame p50 ms | frame p99 ms | confirmations | confirm p50 ms | confirm p99 ms | dwell overshoot p50 ms | SMS | SMS p50 ms | SMS p99 ms | cores: decode / motion / detect / plates / evidence / footage | plate reads/s | evidence images/s |");
        await output.WriteLineAsync("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        rig.TakeLatencies();
        stages.Take();
        var process = new ProcessClock();
        foreach (var cameras in levels)
        {
            var before = Snapshot(rig, levels.Max());
            var published = await rig.PublishAsync(cameras, TimeSpan.FromSeconds(seconds), cancellationToken, sceneSeconds);
            await Task.Delay(1000, cancellationToken); // let queued frames finish
            var after = Snapshot(rig, levels.Max());
            var received = after.Received - before.Received;
            var dropped = after.Dropped - before.Dropped;
            var processed = (after.Processed - before.Processed) / (double)seconds;
            var detected = processed - (after.Gated - before.Gated) / (double)seconds;
            var droppedPercent = received == 0 ? 0 : 100.0 * dropped / received;
            var l = rig.TakeLatencies();
            // Core-seconds each stage used per second of the level (2 cores = 2.00 in all).
            var spent = stages.Take();
            var cores = string.Join(" / ", spent.Select(t => (t.Seconds / (seconds + 1)).ToString("0.00", inv)));
            var spentByProcess = process.Take();
            processRows.Add(ProcessRow(cameras, spentByProcess, spent.Sum(t => t.Seconds), seconds + 1, after.Processed - before.Processed));
            var offered = received / (double)seconds;
            best = Math.Max(best, processed);
            bestDetected = Math.Max(bestDetected, detected);
            await output.WriteLineAsync(string.Create(inv,
                $"| {cameras} | {offered:0.0} | {processed:0.0} | {detected:0.0} | {published.SkippedPercent:0.00} | {droppedPercent:0.00} | {after.Queued} | {after.Failed - before.Failed} | {LoadRig.Percentile(l.FrameMs, 50):0} | {LoadRig.Percentile(l.FrameMs, 99):0} | {l.ConfirmMs.Length} | {LoadRig.Percentile(l.ConfirmMs, 50):0} | {LoadRig.Percentile(l.ConfirmMs, 99):0} | {LoadRig.Percentile(l.OvershootMs, 50):0} | {l.SmsMs.Length} | {LoadRig.Percentile(l.SmsMs, 50):0} | {LoadRig.Percentile(l.SmsMs, 99):0} | {cores} | {spent[3].Count / (double)seconds:0.0} | {spent[4].Count / (double)seconds:0.0} |"));
            // A frame is lost when the gateway's queue drops it, or when the gateway reads so slowly that the camera skips
            // it (TCP back-pressure): both count against the 1 % budget. A level that ends with more than 1 % of its
            // frames still queued is not sustained either: the queues were growing and would soon drop.
            if (droppedPercent + published.SkippedPercent >= MaxDropPercent || after.Queued >= MaxDropPercent / 100 * received)
            {
                break;
            }
            sustained = cameras;
            atSustained = new SustainedLevel(l.SmsMs.Length, LoadRig.Percentile(l.SmsMs, 99), spentByProcess.ResidentMiB);
        }
        await output.WriteLineAsync();
        await output.WriteLineAsync("| cameras | process cores | CPU ms per analysed frame | in stages | not in a stage | GC pause % | GCs gen0 / gen1 / gen2 | allocated MiB/s | allocated KiB per analysed frame | resident MiB | managed heap MiB | cores by thread |");
        await output.WriteLineAsync("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var row in processRows)
        {
            await output.WriteLineAsync(row);
        }
        return new Ramp(sustained, best, bestDetected, atSustained);
    }

    /// <summary>
    /// Waits (at most 2 minutes) until the warm-up's frames are analysed, its cases recorded and texted: its cameras all
    /// started at once, so their first cars all stopped together, a burst a site sees once at boot (measured on its own
    /// with --warmup-seconds 0), not the steady work a level measures. Returns the seconds it took.
    /// </summary>
    private static async Task<double> DrainAsync(LoadRig rig, int cameras, CancellationToken cancellationToken)
    {
        var recording = rig.Gateway.Get<RecordingQueue>();
        var cases = rig.Gateway.Get<CaseRecording>();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromMinutes(2)
            && (Snapshot(rig, cameras).Queued > 0 || recording.Waiting > 0 || cases.UnrecordedCases > 0 || rig.Untexted > 0))
        {
            await Task.Delay(100, cancellationToken);
        }
        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>One level's process figures: all its CPU against the stages' sum, the garbage collector, memory, threads.</summary>
    private static string ProcessRow(int cameras, ProcessClock.Spent p, double stageSeconds, double levelSeconds, long analysed)
    {
        var inv = CultureInfo.InvariantCulture;
        var threads = string.Join(", ", p.ByThread.Take(5).Select(t => string.Create(inv, $"{t.Thread} {t.CpuSeconds / levelSeconds:0.00}")));
        return string.Create(inv,
            $"| {cameras} | {p.CpuSeconds / levelSeconds:0.00} | {1000 * p.CpuSeconds / Math.Max(1, analysed):0.0} | {stageSeconds / levelSeconds:0.00} | {(p.CpuSeconds - stageSeconds) / levelSeconds:0.00} | {100 * p.PauseSeconds / levelSeconds:0.0} | {p.Gen0} / {p.Gen1} / {p.Gen2} | {p.AllocatedBytes / 1048576.0 / levelSeconds:0} | {p.AllocatedBytes / 1024.0 / Math.Max(1, analysed):0} | {p.ResidentMiB:0} | {p.ManagedHeapMiB:0} | {threads} |");
    }

    private static IngressTotals Snapshot(LoadRig rig, int cameras)
    {
        var totals = new IngressTotals(0, 0, 0, 0, 0);
        var watches = rig.Gateway.Get<FrameAnalyser>().Cameras;
        for (var c = 0; c < cameras; c++)
        {
            var counts = rig.Counters.Camera(LoadRig.CameraId(c));
            var gated = watches.TryGetValue(LoadRig.CameraId(c), out var watch) ? watch.GatedFrames : 0;
            totals = new IngressTotals(totals.Received + counts.Received, totals.Dropped + counts.Dropped, totals.Processed + counts.Processed, totals.Failed + counts.Failed, totals.Gated + gated);
        }
        return totals;
    }

    private readonly record struct IngressTotals(long Received, long Dropped, long Processed, long Failed, long Gated)
    {
        /// <summary>Frames received and not yet done with (in a camera's queue or in the pipeline).</summary>
        public long Queued => Received - Dropped - Processed - Failed;
    }

    /// <summary>Vehicle model runs per second with one worker per core and 1 intra-op thread each (the pipeline's setting).</summary>
    public static double RawModelFramesPerSecond(TimeSpan duration)
    {
        var options = Options.Create(new VisionOptions { ModelsDirectory = TestPaths.Models, IntraOpNumThreads = 1, Workers = Environment.ProcessorCount });
        using var vehicles = new YoloxVehicleDetector(options);
        var ws = vehicles.Model.Rent();
        vehicles.Model.Run(ws); // warm-up
        vehicles.Model.Return(ws);
        long runs = 0;
        var clock = Stopwatch.StartNew();
        Parallel.For(0, Environment.ProcessorCount, _ =>
        {
            while (clock.Elapsed < duration)
            {
                var workspace = vehicles.Model.Rent();
                try
                {
                    vehicles.Model.Run(workspace);
                }
                finally
                {
                    vehicles.Model.Return(workspace);
                }
                Interlocked.Increment(ref runs);
            }
        });
        return runs / clock.Elapsed.TotalSeconds;
    }

    private static string KeepAliveSeconds(List<KeyValuePair<string, string>> overrides) =>
        overrides.LastOrDefault(o => o.Key == $"{PipelineOptions.Section}:MotionGate:{nameof(MotionGateOptions.KeepAliveSeconds)}").Value
            ?? new MotionGateOptions().KeepAliveSeconds.ToString(CultureInfo.InvariantCulture);

    /// <summary>Every --set Key=Value (e.g. --set OneThing:Pipeline:MotionGate:KeepAliveSeconds=10).</summary>
    private static List<KeyValuePair<string, string>> Settings(string[] args) =>
        [.. args.Zip(args.Skip(1)).Where(p => p.First == "--set").Select(p => p.Second.Split('=', 2)).Where(kv => kv.Length == 2)
            .Select(kv => new KeyValuePair<string, string>(kv[0], kv[1]))];

    internal static int Option(string[] args, string name, int fallback) =>
        OptionText(args, name) is { } text && int.TryParse(text, CultureInfo.InvariantCulture, out var v) ? v : fallback;

    internal static string? OptionText(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
