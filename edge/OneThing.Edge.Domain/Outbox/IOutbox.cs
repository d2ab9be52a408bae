namespace OneThing.Edge.Domain.Outbox;

/// <summary>
/// The durable queue of calls to the traffic system. Messages of one violation are delivered strictly in order:
/// a message is due only when every earlier message of its violation is <see cref="OutboxState.Sent"/>.
/// </summary>
public interface IOutbox
{
    /// <summary>
    /// Marks up to <paramref name="max"/> due messages <see cref="OutboxState.InFlight"/> and returns them: Pending or
    /// Failed whose next attempt is due, and InFlight ones whose lease ran out (the sender crashed).
    /// </summary>
    Task<IReadOnlyList<OutboxMessage>> ClaimDueAsync(int max, CancellationToken cancellationToken);

    /// <summary>Makes every InFlight message due now; called once when the only dispatcher starts after a crash.</summary>
    Task<int> RecoverInFlightAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Makes every Failed message due now: the traffic system answers again, so the backlog should not wait out
    /// back-off delays earned while it was down.
    /// </summary>
    Task<int> ExpediteFailedAsync(CancellationToken cancellationToken);

    /// <summary>Records delivery; for a case also the traffic system's case id and notice status.</summary>
    Task MarkSentAsync(long messageId, CaseReceipt? receipt, CancellationToken cancellationToken);

    /// <summary>Records several deliveries in one transaction (one disk flush for a whole batch).</summary>
    Task MarkSentAsync(IReadOnlyList<Delivery> deliveries, CancellationToken cancellationToken);

    /// <summary>Schedules a retry with jittered back-off, or dead-letters the message once it is older than the maximum age.</summary>
    Task<OutboxState> MarkFailedAsync(long messageId, string error, CancellationToken cancellationToken);

    /// <summary>Gives up on a message (and the later messages of its violation, which depend on it) with the reason.</summary>
    Task DeadLetterAsync(long messageId, string reason, CancellationToken cancellationToken);

    /// <summary>All messages of a violation in delivery order.</summary>
    Task<IReadOnlyList<OutboxEntry>> ListAsync(Guid violationId, CancellationToken cancellationToken);

    /// <summary>Dead letters, newest first, for the operator console.</summary>
    Task<IReadOnlyList<OutboxEntry>> ListDeadLettersAsync(int max, CancellationToken cancellationToken);
}

/// <summary>Reads an evidence file by its SHA-256 for upload.</summary>
public interface IEvidenceContent
{
    Task<byte[]> ReadAsync(string sha256, CancellationToken cancellationToken);
}

/// <summary>Wakes the dispatcher after a commit that enqueued messages, so a case goes out in milliseconds, not at the next sweep.</summary>
public interface IOutboxSignal
{
    void MessagesEnqueued();
}

/// <summary>
/// Told after the outbox recorded that the traffic system accepted a case (its receipt: notice sent, queued or no
/// owner) or that a message was given up on. The case's state already moved in the same transaction; the listener
/// acts on it (events, an officer when nobody was texted).
/// </summary>
public interface ICaseDeliveryListener
{
    Task DeliveredAsync(Guid violationId, CaseReceipt receipt, CancellationToken cancellationToken);

    Task DeadLetteredAsync(Guid violationId, string kind, string reason, CancellationToken cancellationToken);
}

/// <summary>
/// Deletes what the retention period no longer requires: delivered messages and finished cases with their evidence,
/// officer reports and rejected payloads. Each registered purge runs in registration order (cases before reports).
/// </summary>
public interface IRetentionPurge
{
    Task<RetentionResult> PurgeAsync(DateTimeOffset olderThan, CancellationToken cancellationToken);
}

public sealed record RetentionResult(int OutboxMessages, int Violations, int EvidenceFiles)
{
    /// <summary>Officer reports deleted (with their photo rows).</summary>
    public int Reports { get; init; }

    /// <summary>Rejected payloads deleted.</summary>
    public int Rejections { get; init; }
}
