using OneThing.Edge.Domain.Audit;
using OneThing.Edge.Domain.Outbox;
using OneThing.Edge.Domain.Violations;

namespace OneThing.Edge.CloudConnector;

public sealed record ViolationCaseRequest(
    Guid ViolationId,
    string SiteId,
    string LaneId,
    string Source,
    string? CameraId,
    string? DeviceId,
    string? OfficerId,
    string? Plate,
    double PlateConfidence,
    DateTimeOffset FirstSeenAt,
    DateTimeOffset ConfirmedAt,
    IReadOnlyList<EvidenceDeclaration> Evidence)
{
    public static ViolationCaseRequest From(Violation violation) => new(
        violation.Id,
        violation.SiteId,
        violation.LaneId,
        violation.Source == ViolationSource.Pda ? "pda" : "camera",
        violation.CameraId,
        violation.DeviceId,
        violation.OfficerId,
        violation.Plate,
        violation.PlateConfidence,
        violation.FirstSeenAt,
        violation.ConfirmedAt,
        [.. violation.Evidence.Select(e => new EvidenceDeclaration(e.Kind, e.SharedSha256, e.CapturedAt, e.ContentType))]);
}

public sealed record EvidenceDeclaration(string Kind, string Sha256, DateTimeOffset CapturedAt, string ContentType);

public sealed record NoticeResponse(string Status, DateTimeOffset? SentAt);

public sealed record CaseReceiptResponse(string CaseId, NoticeResponse? Notice)
{
    public CaseReceipt ToReceipt() => new(CaseId, Notice?.Status, Notice?.SentAt);
}

public sealed record ClearanceRequest(DateTimeOffset ClearedAt, string Outcome)
{
    public static ClearanceRequest From(Clearance clearance) => new(clearance.ClearedAt, clearance.Outcome);

    /// <summary>One clearance per case, so the case's id names it: `{violationId}:clearance`.</summary>
    public static string IdempotencyKey(Guid violationId) => $"{violationId:D}:clearance";
}

public sealed record AuditAnchorRequest(string SiteId, string InstanceId, long Sequence, string EntryHash, DateTimeOffset AnchoredAt)
{
    public static AuditAnchorRequest From(AuditAnchor anchor) => new(anchor.SiteId, anchor.InstanceId, anchor.Sequence, anchor.EntryHash, anchor.AnchoredAt);
}

/// <summary>Source-generated JSON for the contract: web naming (camelCase), nulls left out.</summary>
[System.Text.Json.Serialization.JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
[System.Text.Json.Serialization.JsonSerializable(typeof(ViolationCaseRequest))]
[System.Text.Json.Serialization.JsonSerializable(typeof(CaseReceiptResponse))]
[System.Text.Json.Serialization.JsonSerializable(typeof(ClearanceRequest))]
[System.Text.Json.Serialization.JsonSerializable(typeof(AuditAnchorRequest))]
internal sealed partial class TrafficSystemJson : System.Text.Json.Serialization.JsonSerializerContext;
