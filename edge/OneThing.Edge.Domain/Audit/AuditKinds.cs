namespace OneThing.Edge.Domain.Audit;

/// <summary>What an audit entry records. Every forward and every data extraction is an entry.</summary>
public static class AuditKinds
{
    public const string ViolationConfirmed = "violation-confirmed";
    public const string EvidenceStored = "evidence-stored";
    public const string Forwarded = "forwarded";
    public const string Receipt = "receipt";
    public const string Export = "export";

    /// <summary>A case moved from one state to another (<see cref="CaseTransitionPayload"/>).</summary>
    public const string CaseTransition = "case-transition";

    /// <summary>Retention deleted finished cases and their evidence files (<see cref="RetentionPurgePayload"/>).</summary>
    public const string RetentionPurge = "retention-purge";

    /// <summary>An operator's verdict on a case; a violation the cameras missed; lane settings applied from a what-if.</summary>
    public const string CaseLabelled = "case-labelled";
    public const string MissedViolationAdded = "missed-violation-added";
    public const string LaneTuned = "lane-tuned";

    public static IReadOnlyList<string> All { get; } = [ViolationConfirmed, EvidenceStored, Forwarded, Receipt, Export, CaseTransition, CaseLabelled, MissedViolationAdded, LaneTuned, RetentionPurge];
}

/// <summary>
/// Payload of an <see cref="AuditKinds.EvidenceStored"/> entry. The verifier reads its <c>sha256</c> property to
/// check that the evidence file still holds the bytes that were stored.
/// </summary>
public sealed record EvidenceStoredPayload(Guid CaseId, string Kind, string Sha256, DateTimeOffset CapturedAt, string ContentType, string? RedactedSha256 = null);

/// <summary>Payload of a <see cref="AuditKinds.CaseTransition"/> entry: states and step by their stored names.</summary>
public sealed record CaseTransitionPayload(Guid CaseId, string From, string Step, string To, string? Reason);
