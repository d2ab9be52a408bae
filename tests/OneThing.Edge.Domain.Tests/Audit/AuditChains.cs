using OneThing.Edge.Domain.Audit;

namespace OneThing.Edge.Domain.Tests.Audit;

/// <summary>The chain the verifier tests start from, and the verifier over it with evidence files in a given state.</summary>
internal static class AuditChains
{
    public static readonly DateTimeOffset T0 = new(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);
    public const string EvidenceSha = "aa11aa11aa11aa11aa11aa11aa11aa11aa11aa11aa11aa11aa11aa11aa11aa11";

    /// <summary>Five entries; entry 2 stores evidence.</summary>
    public static List<AuditEntry> Chain()
    {
        var entries = new List<AuditEntry>();
        AuditEntry? last = null;
        string[] payloads =
        [
            """{"caseId":"c1","lane":"lane-1"}""",
            $$"""{"caseId":"c1","kind":"overview","sha256":"{{EvidenceSha}}"}""",
            """{"caseId":"c1","status":201}""",
            """{"reportId":"r1","status":"accepted"}""",
            """{"caseId":"c1","to":"officer"}""",
        ];
        string[] kinds = [AuditKinds.ViolationConfirmed, AuditKinds.EvidenceStored, AuditKinds.CaseTransition, AuditKinds.EvidenceViewed, AuditKinds.Export];
        for (var i = 0; i < payloads.Length; i++)
        {
            last = AuditChain.Next(last, kinds[i], T0.AddSeconds(i), payloads[i]);
            entries.Add(last);
        }
        return entries;
    }

    public static ValueTask<AuditVerification> Verify(IReadOnlyList<AuditEntry> entries, EvidenceState evidence = EvidenceState.Intact) =>
        AuditVerifier.VerifyAsync(entries, (_, _) => ValueTask.FromResult(evidence), CancellationToken.None);
}
