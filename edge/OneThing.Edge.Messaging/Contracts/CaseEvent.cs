using System.Text.Json.Serialization;

namespace OneThing.Edge.Messaging.Contracts;

/// <summary>
/// A case lifecycle event on `{prefix}/{site}/events/violations`. <see cref="Event"/> is the state the case entered
/// (its stored name: confirmed, forwarded, notified, no-owner, dead-lettered, escalated, cleared, ticketed, closed),
/// or <see cref="Merged"/> when an officer's report joined it. Observers may read these, so no event carries personal
/// data: no plate, no officer id (the case id leads an operator to them in the console).
/// </summary>
public sealed record CaseEvent(string Event, Guid ViolationId, string Site, DateTimeOffset At, CaseEventDetails Details)
{
    public const string Merged = "merged";
}

/// <summary>What an event says beyond its kind; each kind has its own shape.</summary>
[JsonDerivedType(typeof(ConfirmedDetails))]
[JsonDerivedType(typeof(DeliveredDetails))]
[JsonDerivedType(typeof(DeadLetteredDetails))]
[JsonDerivedType(typeof(EscalatedDetails))]
[JsonDerivedType(typeof(ClearanceDetails))]
[JsonDerivedType(typeof(MergedDetails))]
public abstract record CaseEventDetails;

/// <param name="Source">camera or pda.</param>
/// <param name="PlateRead">Whether the case has a plate (the plate itself is not in the event).</param>
public sealed record ConfirmedDetails(
    string Source, string? CameraId, string? DeviceId, string LaneId, bool PlateRead, double PlateConfidence,
    DateTimeOffset FirstSeenAt, DateTimeOffset ConfirmedAt, int Evidence) : CaseEventDetails;

/// <summary>The traffic system's receipt (forwarded, notified, no-owner).</summary>
public sealed record DeliveredDetails(string? CaseId, string? Notice, DateTimeOffset? NoticeSentAt) : CaseEventDetails;

/// <param name="Kind">The outbox message given up on: violation, evidence or clearance.</param>
public sealed record DeadLetteredDetails(string Kind, string Reason) : CaseEventDetails;

public sealed record EscalatedDetails(string Reason, string TaskId, int Officers) : CaseEventDetails;

/// <summary>The case ended on site (cleared, closed, ticketed) with the outcome the traffic system is told.</summary>
public sealed record ClearanceDetails(string Outcome, DateTimeOffset ClearedAt) : CaseEventDetails;

public sealed record MergedDetails(string ReportId, int Photos) : CaseEventDetails;
