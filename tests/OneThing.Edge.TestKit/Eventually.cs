namespace OneThing.Edge.TestKit;

/// <summary>Polls a condition on real components (brokers, processes, HTTP) until it holds or the time is up.</summary>
public static class Eventually
{
    public static async Task<T> ReturnsAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan? timeout = null, string? what = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        T last;
        do
        {
            last = await probe();
            if (done(last))
            {
                return last;
            }
            await Task.Delay(25);
        }
        while (DateTime.UtcNow < deadline);
        throw new TimeoutException($"{what ?? "condition"} not reached; last value: {last}");
    }

    /// <summary>
    /// Polls for <paramref name="period"/> that something does not happen (a retry, a second attempt); throws as soon
    /// as <paramref name="happened"/> holds. A bounded wait for an absence, not a sleep before a check.
    /// </summary>
    public static async Task NeverAsync<T>(Func<Task<T>> probe, Func<T, bool> happened, TimeSpan period, string what)
    {
        var deadline = DateTime.UtcNow + period;
        do
        {
            var value = await probe();
            if (happened(value))
            {
                throw new InvalidOperationException($"{what} happened within {period.TotalSeconds} s; value: {value}");
            }
            await Task.Delay(25);
        }
        while (DateTime.UtcNow < deadline);
    }
}
