namespace OneThing.Edge.Domain.Outbox;

/// <summary>Delivery state of one outbox message; the names are stored as text in SQLite.</summary>
public enum OutboxState { Pending, InFlight, Sent, Failed, DeadLettered }

/// <summary>What an outbox message delivers; the order of a violation's messages is case, evidence, clearance.</summary>
public static class OutboxKinds
{
    public const string Violation = "violation";
    public const string Evidence = "evidence";
    public const string Clearance = "clearance";

    /// <summary>The audit chain's head for the traffic system to keep (<see cref="Audit.AuditAnchor"/>); it belongs to no case.</summary>
    public const string AuditAnchor = "audit-anchor";
}

/// <summary>
/// One call to the traffic system, claimed for delivery. <see cref="Payload"/> is JSON (see <see cref="OutboxPayload"/>):
/// the <c>Violation</c> for a case, the <c>EvidenceItem</c> for an upload, the <c>Clearance</c> for a clearance.
/// </summary>
public sealed record OutboxMessage(
    long Id,
    Guid ViolationId,
    string Kind,
    int Sequence,
    string Payload,
    int Attempts,
    DateTimeOffset CreatedAt);

/// <summary>A row as operators see it (including dead letters and their reason).</summary>
public sealed record OutboxEntry(
    long Id,
    Guid ViolationId,
    string Kind,
    int Sequence,
    OutboxState State,
    int Attempts,
    DateTimeOffset CreatedAt,
    DateTimeOffset NextAttemptAt,
    string? LastError);
