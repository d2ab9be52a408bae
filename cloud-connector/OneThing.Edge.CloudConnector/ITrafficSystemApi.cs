using Refit;

namespace OneThing.Edge.CloudConnector;

/// <summary>The traffic system's REST contract (DESIGN.md, "Traffic system"); the bearer token is added by the HTTP client.</summary>
public interface ITrafficSystemApi
{
    /// <summary>Opens a case; a repeat with the same key answers 200 with the same case and texts nobody.</summary>
    [Post("/api/v1/violations")]
    Task<CaseReceiptResponse> SubmitViolationAsync(
        [Header("Idempotency-Key")] string idempotencyKey, [Body] ViolationCaseRequest violation, CancellationToken cancellationToken);

    /// <summary>Uploads one evidence file, raw bytes, addressed by its SHA-256 (idempotent).</summary>
    [Put("/api/v1/violations/{violationId}/evidence/{sha256}")]
    Task UploadEvidenceAsync(Guid violationId, string sha256, [Body] HttpContent content, CancellationToken cancellationToken);

    /// <summary>
    /// Reports how the case ended on site. The key (<see cref="ClearanceRequest.IdempotencyKey"/>) lets the traffic
    /// system tell the outbox's retry of a clearance whose reply was lost from a second, different clearance.
    /// </summary>
    [Post("/api/v1/violations/{violationId}/clearance")]
    Task ReportClearanceAsync(
        Guid violationId, [Header("Idempotency-Key")] string idempotencyKey, [Body] ClearanceRequest clearance, CancellationToken cancellationToken);

    /// <summary>
    /// Hands over the audit chain's head. Idempotent by sequence: a repeat with the same hash is accepted, another
    /// hash for a sequence already held is refused (422), since the traffic system keeps the first.
    /// </summary>
    [Post("/api/v1/audit-anchors")]
    Task AnchorAuditAsync([Body] AuditAnchorRequest anchor, CancellationToken cancellationToken);
}
