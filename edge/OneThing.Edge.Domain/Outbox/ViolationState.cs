namespace OneThing.Edge.Domain.Outbox;

/// <summary>Where a case stands in the loop; stored as lower-case text in SQLite.</summary>
public enum ViolationState { Confirmed, Forwarded, Notified, Cleared, Escalated, Closed }

/// <summary>A stored violation with what the traffic system answered.</summary>
public sealed record ViolationCase(
    Violations.Violation Violation,
    ViolationState State,
    string? CaseId,
    string? NoticeStatus,
    DateTimeOffset? NoticeSentAt);
