using System.Collections.Concurrent;
using System.Diagnostics;
using Xunit;
using Xunit.Abstractions;

namespace OneThing.Edge.Fuzz.Tests;

/// <summary>
/// Runs fuzz inputs one by one and counts outcomes. Each input gets a time box (generous: the machine is shared); the whole run has a deadline, so a
/// hang fails the test instead of stalling CI. Anything other than an outcome code is recorded as a crash.
/// </summary>
public sealed class Tally(string target, ITestOutputHelper output)
{
    private readonly ConcurrentDictionary<string, int> _outcomes = new(StringComparer.Ordinal);
    private readonly List<string> _crashes = [];
    private TimeSpan _slowest;
    private int _runs;

    public static readonly TimeSpan PerInputBudget = TimeSpan.FromSeconds(5);

    public async Task RunAsync(int count, Func<int, string> oneInput, TimeSpan deadline)
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
        await loop.WaitAsync(deadline);
        Report();
        Assert.Equal(count, _runs);
        Assert.True(_crashes.Count == 0, "inputs that neither passed nor were rejected with a code:\n" + string.Join("\n", _crashes));
        Assert.True(_slowest < PerInputBudget, $"slowest input took {_slowest.TotalMilliseconds:F0} ms (budget {PerInputBudget.TotalMilliseconds} ms)");
    }

    public IReadOnlyDictionary<string, int> Outcomes => _outcomes;

    private void Report()
    {
        output.WriteLine($"{target}: {_runs} inputs, slowest {_slowest.TotalMilliseconds:F1} ms");
        foreach (var (outcome, n) in _outcomes.OrderByDescending(o => o.Value))
        {
            output.WriteLine($"  {outcome,-24} {n,7}");
        }
    }
}
