namespace OneThing.Edge.Messaging.Transport;

/// <summary>
/// The reconnect loop of an MQTT client (MQTTnet v5 has no managed client any more): run a step (connect when needed,
/// then ping or publish) until it says it is done or the token is cancelled. A failed step is retried after 1 s,
/// doubling up to 30 s; a step that succeeds starts the back-off at 1 s again.
/// </summary>
public static class Reconnect
{
    public static readonly TimeSpan FirstDelay = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(30);

    /// <param name="step">One round of work; false when there is nothing more to do.</param>
    /// <param name="retry">
    /// Told each failure and the delay before the next attempt (to log it); false for a failure that retrying cannot
    /// fix, which is rethrown.
    /// </param>
    public static async Task RunAsync(
        Func<CancellationToken, Task<bool>> step, Func<Exception, TimeSpan, bool> retry, TimeProvider time, CancellationToken cancellationToken)
    {
        var delay = FirstDelay;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (!await step(cancellationToken))
                {
                    return;
                }
                delay = FirstDelay;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                if (!retry(e, delay))
                {
                    throw;
                }
                // Cancelled while waiting: the loop ends without throwing.
                await Task.Delay(delay, time, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxDelay.Ticks));
            }
        }
    }
}
