using System.Collections.Concurrent;
using System.Diagnostics;
using Xunit;
using Xunit.Abstractions;

namespace OneThing.Edge.Fuzz.Tests;

/// <summary>
/// Runs fuzz inputs one by one and counts outcomes. Each input gets a time box (generous: the machine is shared) and
/// the whole run a deadline far above its normal length, so only a hang fails on time, not a slow machine. Anything
/// other than an outcome code is recorded as a crash. Every failure message names the seed that replays the run.
/// </summary>
public sealed class Tally(string target, int seed, ITestOutputHelper output)
{
    /// <summary>A hang, not a slow run: a whole run takes seconds to tens of seconds on the shared 2-core machine.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<string, int> _outcomes = new(StringComparer.Ordinal);
    private readonly List<string> _crashes = [];
    private TimeSpan _slowest;
    private int _runs;

    public static readonly TimeSpan PerInputBudget = TimeSpan.FromSeconds(5);

    public int Seed => seed;

    /// <summary>Appended to every assertion message: the seed and how to replay it.</summary>
    public string Replay => $" [seed {seed}; replay with {FuzzSeed.Replay(seed)}]";

    public async Task RunAsync(int count, Func<int, string> oneInput)
    {
        var loop = Task.Run(() =>
        {
            var watch = new Stopwatch();
            for (var i = 0; i < count; i++)
            {
                watch.Restart();
                string outcome;
                try
                {
                    outcome = oneInput(i);
                }
                catch (Exception e)
                {
                    outcome = "crash";
                    if (_crashes.Count < 10)
                    {
                        _crashes.Add($"input {i}: {e.GetType().Name}: {e.Message}");
                    }
                }
                watch.Stop();
                _slowest = watch.Elapsed > _slowest ? watch.Elapsed : _slowest;
                _outcomes.AddOrUpdate(outcome, 1, (_, n) => n + 1);
                _runs++;
            }
        });
        try
        {
            await loop.WaitAsync(Deadline);
        }
        catch (TimeoutException)
        {
            Report();
            Assert.Fail($"{target}: {_runs} of {count} inputs after {Deadline.TotalMinutes} min, a hang{Replay}");
        }
        Report();
        Assert.True(count == _runs, $"{target}: ran {_runs} of {count} inputs{Replay}");
        Assert.True(_crashes.Count == 0, "inputs that neither passed nor were rejected with a code" + Replay + ":\n" + string.Join("\n", _crashes));
        Assert.True(_slowest < PerInputBudget, $"slowest input took {_slowest.TotalMilliseconds:F0} ms (budget {PerInputBudget.TotalMilliseconds} ms){Replay}");
    }

    public IReadOnlyDictionary<string, int> Outcomes => _outcomes;

    private void Report()
    {
        output.WriteLine($"{target}: {_runs} inputs, seed {seed}, slowest {_slowest.TotalMilliseconds:F1} ms");
        foreach (var (outcome, n) in _outcomes.OrderByDescending(o => o.Value))
        {
            output.WriteLine($"  {outcome,-24} {n,7}");
        }
    }
}
