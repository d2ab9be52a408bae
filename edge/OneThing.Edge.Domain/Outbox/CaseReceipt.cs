namespace OneThing.Edge.Domain.Outbox;

/// <summary>Notice statuses as the traffic-system contract names them.</summary>
public static class NoticeStatuses
{
    public const string Sent = "sent";
    public const string Queued = "queued";
    public const string NoOwner = "no-owner";
}

/// <summary>The traffic system's answer to a forwarded case. <see cref="CaseId"/> is null when it only said "already known" (409).</summary>
public sealed record CaseReceipt(string? CaseId, string? NoticeStatus, DateTimeOffset? NoticeSentAt);

/// <summary>A message the traffic system accepted, with its answer for a case.</summary>
public sealed record Delivery(long MessageId, CaseReceipt? Receipt);
