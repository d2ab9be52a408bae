namespace OneThing.Edge.Storage.Outbox;

/// <summary>Delivery policy of the outbox (configuration section <c>OneThing:Outbox</c>).</summary>
public sealed class OutboxOptions
{
    public const string Section = "OneThing:Outbox";

    /// <summary>How long a claimed message may stay InFlight before another sweep may claim it again.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>First retry delay; doubles per attempt, with jitter, up to <see cref="RetryMaxDelay"/>.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>A message still undelivered this long after it was enqueued is dead-lettered on its next failure.</summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromDays(3);
}
