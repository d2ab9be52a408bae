using OneThing.Edge.Domain.Violations;

namespace OneThing.Edge.Domain.Cases;

/// <summary>A stored violation with where it stands and what the traffic system answered.</summary>
public sealed record ViolationCase(
    Violation Violation,
    CaseState State,
    string? CaseId,
    string? NoticeStatus,
    DateTimeOffset? NoticeSentAt);
