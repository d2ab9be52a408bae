using Microsoft.Extensions.Time.Testing;
using OneThing.Edge.Messaging.Transport;
using Xunit;

namespace OneThing.Edge.Messaging.Tests;

public sealed class ReconnectTests
{
    private readonly FakeTimeProvider _time = new();

    /// <summary>Moves the fake clock in half-second steps until the loop ends (it waits on that clock between attempts).</summary>
    private async Task DriveAsync(Task loop)
    {
        for (var i = 0; i < 10_000 && !loop.IsCompleted; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(500));
            await Task.Delay(1);
        }
        await loop;
    }

    [Fact]
    public async Task Failures_back_off_doubling_to_30_s_and_a_success_starts_again_at_1_s()
    {
        var attempts = new List<DateTimeOffset>();
        var delays = new List<double>();
        var loop = Reconnect.RunAsync(
            _ =>
            {
                attempts.Add(_time.GetUtcNow());
                return attempts.Count switch
                {
                    <= 7 => throw new IOException("broker down"),
                    8 => Task.FromResult(true),    // connected and published
                    9 => throw new IOException("dropped again"),
                    _ => Task.FromResult(false),   // done
                };
            },
            (_, delay) =>
            {
                delays.Add(delay.TotalSeconds);
                return true;
            },
            _time, CancellationToken.None);
        await DriveAsync(loop);

        Assert.Equal([1, 2, 4, 8, 16, 30, 30, 1], delays);
        Assert.Equal(10, attempts.Count);
        // Each retry really waited its delay on the clock.
        var failed = new[] { 0, 1, 2, 3, 4, 5, 6, 8 };
        for (var k = 0; k < failed.Length; k++)
        {
            Assert.True(attempts[failed[k] + 1] - attempts[failed[k]] >= TimeSpan.FromSeconds(delays[k]), $"attempt {failed[k] + 2} after {delays[k]} s");
        }
    }

    [Fact]
    public async Task A_failure_retrying_cannot_fix_ends_the_loop_with_that_exception()
    {
        var loop = Reconnect.RunAsync(_ => throw new ArgumentException("no such camera source"), (e, _) => e is IOException, _time, CancellationToken.None);
        await Assert.ThrowsAsync<ArgumentException>(() => loop);
    }

    [Fact]
    public async Task Cancelled_while_backing_off_the_loop_ends_quietly()
    {
        using var stop = new CancellationTokenSource();
        var attempts = 0;
        var loop = Reconnect.RunAsync(
            _ =>
            {
                attempts++;
                throw new IOException("broker down");
            },
            (_, _) =>
            {
                stop.Cancel();
                return true;
            },
            _time, stop.Token);

        await loop.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, attempts);
    }
}
