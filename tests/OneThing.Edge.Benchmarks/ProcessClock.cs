using System.Diagnostics;
using System.Globalization;

namespace OneThing.Edge.Benchmarks;

/// <summary>
/// What the whole benchmark process (gateway, embedded broker, traffic simulator; not the publisher) spent between two
/// calls of <see cref="Take"/>: CPU time, CPU time by thread name (Linux `/proc/self/task`: the garbage collector's and
/// ONNX Runtime's threads are apart from the thread pool's), garbage collections and their pauses, bytes allocated,
/// and resident memory at the end. The stages' own clocks (<see cref="StageClock"/>) leave out what runs between
/// them; this shows how much that is and where it runs.
/// </summary>
public sealed class ProcessClock
{
    private const double ClockTicksPerSecond = 100; // USER_HZ: /proc's utime and stime unit on Linux
    private Snapshot _last = Snapshot.Now();

    public sealed record Spent(
        double CpuSeconds, double PauseSeconds, int Gen0, int Gen1, int Gen2, long AllocatedBytes, double ResidentMiB, double ManagedHeapMiB,
        IReadOnlyList<(string Thread, double CpuSeconds)> ByThread);

    public Spent Take()
    {
        var now = Snapshot.Now();
        var before = _last;
        _last = now;
        var byThread = now.Threads
            .Select(t => (t.Value.Name, Seconds: (t.Value.Ticks - (before.Threads.TryGetValue(t.Key, out var b) ? b.Ticks : 0)) / ClockTicksPerSecond))
            .GroupBy(t => t.Name, StringComparer.Ordinal)
            .Select(g => (Thread: g.Key, CpuSeconds: g.Sum(t => t.Seconds)))
            .Where(t => t.CpuSeconds > 0)
            .OrderByDescending(t => t.CpuSeconds)
            .ToList();
        return new Spent(
            (now.Cpu - before.Cpu).TotalSeconds, (now.Pause - before.Pause).TotalSeconds,
            now.Gen0 - before.Gen0, now.Gen1 - before.Gen1, now.Gen2 - before.Gen2,
            now.Allocated - before.Allocated, now.ResidentMiB, GC.GetGCMemoryInfo().HeapSizeBytes / 1048576.0, byThread);
    }

    private sealed record Snapshot(
        TimeSpan Cpu, TimeSpan Pause, int Gen0, int Gen1, int Gen2, long Allocated, double ResidentMiB,
        Dictionary<int, (string Name, long Ticks)> Threads)
    {
        public static Snapshot Now()
        {
            using var process = Process.GetCurrentProcess();
            return new Snapshot(process.TotalProcessorTime, GC.GetTotalPauseDuration(),
                GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalAllocatedBytes(precise: false),
                process.WorkingSet64 / 1048576.0, ReadThreads());
        }

        /// <summary>Each live thread's name and user + system clock ticks; empty where /proc is not there.</summary>
        private static Dictionary<int, (string Name, long Ticks)> ReadThreads()
        {
            var threads = new Dictionary<int, (string, long)>();
            const string tasks = "/proc/self/task";
            if (!Directory.Exists(tasks))
            {
                return threads;
            }
            foreach (var dir in Directory.EnumerateDirectories(tasks))
            {
                try
                {
                    var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                    var name = stat[(stat.IndexOf('(', StringComparison.Ordinal) + 1)..stat.LastIndexOf(')')];
                    // After "pid (comm) ": state is field 3; utime and stime are fields 14 and 15.
                    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                    var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
                    threads[int.Parse(Path.GetFileName(dir), CultureInfo.InvariantCulture)] = (name, ticks);
                }
                catch (IOException)
                {
                    // The thread ended while being read.
                }
            }
            return threads;
        }
    }
}
