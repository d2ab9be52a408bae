namespace OneThing.Edge.Domain.Outbox;

/// <summary>The traffic system's answer to a forwarded case. <see cref="CaseId"/> is null when it only said "already known" (409).</summary>
public sealed record CaseReceipt(string? CaseId, string? NoticeStatus, DateTimeOffset? NoticeSentAt);

/// <summary>A message the traffic system accepted, with its answer for a case.</summary>
public sealed record Delivery(long MessageId, CaseReceipt? Receipt);
