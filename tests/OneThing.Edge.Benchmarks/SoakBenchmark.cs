using System.Diagnostics;
using System.Globalization;

namespace OneThing.Edge.Benchmarks;

/// <summary>
/// Resident memory of the gateway process (in-process gateway and traffic simulator; the cameras publish from their own
/// process) under a steady camera load:
/// sampled after a warm-up and then every interval until the end; flat means the last sample is at most 5 % above the
/// lowest one.
/// </summary>
public static class SoakBenchmark
{
    private const double MaxGrowthPercent = 5.0;

    public static async Task<int> RunAsync(string[] args, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        var inv = CultureInfo.InvariantCulture;
        var minutes = PipelineBenchmark.Option(args, "--minutes", 30);
        var cameras = PipelineBenchmark.Option(args, "--cameras", 16);
        var warmup = TimeSpan.FromSeconds(PipelineBenchmark.Option(args, "--warmup-seconds", 60));
        var sampleEvery = TimeSpan.FromSeconds(Math.Max(10, minutes * 60 / 10));

        var motionGate = PipelineBenchmark.OptionText(args, "--gate") == "on";
        var sceneSeconds = PipelineBenchmark.Option(args, "--scene-seconds", 120);
        await using var rig = await LoadRig.StartAsync(cameras, motionGate, []);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var load = rig.PublishAsync(cameras, warmup + TimeSpan.FromMinutes(minutes), stop.Token, sceneSeconds);
        await output.WriteLineAsync(string.Create(inv,
            $"soak: {cameras} cameras at 1 fps from a publisher process, motion gate {(motionGate ? "on" : "off")}, scenes change every {sceneSeconds} s (0: still), {warmup.TotalSeconds:0} s warm-up, {minutes} min measured"));
        await output.WriteLineAsync("| minute | resident MiB | managed heap MiB | analysed frames | dropped | gen2 GCs |");
        await output.WriteLineAsync("|---:|---:|---:|---:|---:|---:|");

        await Task.Delay(warmup, cancellationToken);
        var clock = Stopwatch.StartNew();
        var samples = new List<double>();
        while (true)
        {
            var resident = Resident();
            samples.Add(resident);
            var totals = rig.Counters.Cameras.Values;
            await output.WriteLineAsync(string.Create(inv,
                $"| {clock.Elapsed.TotalMinutes:0.0} | {resident:0.0} | {GC.GetTotalMemory(false) / 1048576.0:0.0} | {totals.Sum(c => c.Processed)} | {totals.Sum(c => c.Dropped)} | {GC.CollectionCount(2)} |"));
            if (clock.Elapsed >= TimeSpan.FromMinutes(minutes))
            {
                break;
            }
            await Task.Delay(Min(sampleEvery, TimeSpan.FromMinutes(minutes) - clock.Elapsed), cancellationToken);
        }
        await stop.CancelAsync();
        try
        {
            await load;
        }
        catch (OperationCanceledException)
        {
        }

        // A leak grows from the lowest level the process settled at; the first sample can still hold the warm-up's burst
        // of cases (all cameras' first cars at once), which a falling curve releases.
        var change = 100 * (samples[^1] - samples[0]) / samples[0];
        var growth = 100 * (samples[^1] - samples.Min()) / samples.Min();
        var verdict = growth <= MaxGrowthPercent ? "flat" : "NOT flat";
        await output.WriteLineAsync();
        await output.WriteLineAsync(string.Create(inv,
            $"resident memory {samples[0]:0.0} MiB after warm-up, {samples[^1]:0.0} MiB after {minutes} min ({change:+0.0;-0.0} %, max {samples.Max():0.0}, lowest {samples.Min():0.0}): {growth:+0.0;-0.0} % over the lowest, {verdict} within {MaxGrowthPercent} %"));
        return 0;
    }

    private static double Resident()
    {
        using var self = Process.GetCurrentProcess();
        self.Refresh();
        return self.WorkingSet64 / 1048576.0;
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
