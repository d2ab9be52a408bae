namespace OneThing.TrafficSystem.Simulator;

/// <summary>The intake body of <c>POST /api/v1/violations</c>; nullable so validation can name what is missing.</summary>
public sealed record ViolationIntake(
    Guid? ViolationId,
    string? SiteId,
    string? LaneId,
    string? Source,
    string? CameraId,
    string? DeviceId,
    string? OfficerId,
    string? Plate,
    double? PlateConfidence,
    DateTimeOffset? FirstSeenAt,
    DateTimeOffset? ConfirmedAt,
    IReadOnlyList<EvidenceDeclaration>? Evidence);

public sealed record EvidenceDeclaration(string? Kind, string? Sha256, DateTimeOffset? CapturedAt, string? ContentType);

public sealed record ClearanceReport(DateTimeOffset? ClearedAt, string? Outcome);

public sealed record NoticeView(string Status, DateTimeOffset? SentAt);

public sealed record CaseReceiptView(string CaseId, NoticeView Notice);

/// <summary>One SMS as the sink recorded it; the phone is masked, as everywhere outside the registry.</summary>
public sealed record Notice(Guid ViolationId, string CaseId, string? Plate, string? Phone, string Status, string Text, DateTimeOffset SentAt);

/// <summary>A case as the traffic system holds it, with what arrived in which order.</summary>
public sealed record CaseView(
    Guid ViolationId,
    string CaseId,
    string? Plate,
    string LaneId,
    NoticeView Notice,
    IReadOnlyList<string> DeclaredEvidence,
    IReadOnlyList<string> UploadedEvidence,
    ClearanceReport? Clearance,
    IReadOnlyList<string> Events);
