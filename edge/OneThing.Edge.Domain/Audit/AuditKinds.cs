namespace OneThing.Edge.Domain.Audit;

/// <summary>What an audit entry records. Every forward and every data extraction is an entry.</summary>
public static class AuditKinds
{
    public const string ViolationConfirmed = "violation-confirmed";
    public const string EvidenceStored = "evidence-stored";
    public const string Export = "export";

    /// <summary>A case moved from one state to another (<see cref="CaseTransitionPayload"/>).</summary>
    public const string CaseTransition = "case-transition";

    /// <summary>Retention deleted finished cases or officer reports and their files (<see cref="RetentionPurgePayload"/>, <see cref="ReportPurgePayload"/>).</summary>
    public const string RetentionPurge = "retention-purge";

    /// <summary>An operator looked at an evidence file in the console (<see cref="ExtractionPayload"/>).</summary>
    public const string EvidenceViewed = "evidence-viewed";

    /// <summary>The traffic system accepted an evidence file (<see cref="ExtractionPayload"/>).</summary>
    public const string EvidenceUploaded = "evidence-uploaded";


    /// <summary>An operator's verdict on a case; a violation the cameras missed; lane settings applied from a what-if.</summary>
    public const string CaseLabelled = "case-labelled";
    public const string MissedViolationAdded = "missed-violation-added";
    public const string LaneTuned = "lane-tuned";

    public static IReadOnlyList<string> All { get; } = [ViolationConfirmed, EvidenceStored, Export, CaseTransition, CaseLabelled, MissedViolationAdded, LaneTuned, RetentionPurge, EvidenceViewed, EvidenceUploaded];
}

/// <summary>
/// Payload of an <see cref="AuditKinds.EvidenceStored"/> entry. The verifier reads its <c>sha256</c> property to
/// check that the evidence file still holds the bytes that were stored.
/// </summary>
public sealed record EvidenceStoredPayload(Guid CaseId, string Kind, string Sha256, DateTimeOffset CapturedAt, string ContentType, string? RedactedSha256 = null);

/// <summary>
/// Payload of an entry recording that evidence left the gateway's store (<see cref="AuditKinds.EvidenceViewed"/>,
/// <see cref="AuditKinds.Export"/>, <see cref="AuditKinds.EvidenceUploaded"/>): who took which files of which case
/// and where they went. The entry's time says when.
/// </summary>
public sealed record ExtractionPayload(Guid? CaseId, IReadOnlyList<string> Files, string By, string To)
{
    /// <summary>Who uploads: the gateway itself, through its outbox.</summary>
    public const string Gateway = "gateway";

    public const string TrafficSystem = "traffic-system";
    public const string OperatorConsole = "console";

    /// <summary>An officer's PDA, through the officer app's API; <see cref="By"/> is the device id.</summary>
    public const string OfficerApp = "officer-app";
    public const string CaseExport = "case-export";
}

/// <summary>Payload of a <see cref="AuditKinds.CaseTransition"/> entry: states and step by their stored names.</summary>
public sealed record CaseTransitionPayload(Guid CaseId, string From, string Step, string To, string? Reason);
