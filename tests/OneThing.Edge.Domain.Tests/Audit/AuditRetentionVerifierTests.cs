using OneThing.Edge.Domain.Audit;
using Xunit;
using static OneThing.Edge.Domain.Tests.Audit.AuditChains;

namespace OneThing.Edge.Domain.Tests.Audit;

/// <summary>Files retention removed, listed by a `retention-purge` entry: not tampering; anything else still is.</summary>
public class AuditRetentionVerifierTests
{
    private static List<AuditEntry> ChainWithPurge(string purgedSha)
    {
        var chain = Chain();
        chain.Add(AuditChain.Next(chain[^1], AuditKinds.RetentionPurge, T0.AddDays(31),
            $$"""{"reason":"retention","olderThan":"2026-11-24T08:00:00Z","caseIds":["c1"],"files":["{{purgedSha}}"]}"""));
        return chain;
    }

    [Fact]
    public async Task An_evidence_file_missing_after_a_retention_entry_listing_it_verifies()
    {
        var result = await Verify(ChainWithPurge(EvidenceSha), EvidenceState.Missing);

        Assert.True(result.Ok, result.FirstFailure?.ToString());
        Assert.Equal(6, result.EntriesChecked);
    }

    [Fact]
    public async Task An_evidence_file_missing_without_a_retention_entry_for_it_is_still_reported()
    {
        var result = await Verify(ChainWithPurge(new string('b', 64)), EvidenceState.Missing);

        Assert.Equal((2L, AuditFailureReason.EvidenceMissing), (result.FirstFailure!.Sequence, result.FirstFailure.Reason));
    }

    [Fact]
    public async Task A_purged_file_that_comes_back_altered_is_still_a_mismatch()
    {
        var result = await Verify(ChainWithPurge(EvidenceSha), EvidenceState.Mismatch);

        Assert.Equal((2L, AuditFailureReason.EvidenceMismatch), (result.FirstFailure!.Sequence, result.FirstFailure.Reason));
    }

    [Fact]
    public async Task An_entry_edited_before_a_purge_is_still_named()
    {
        var chain = ChainWithPurge(EvidenceSha);
        chain[0] = chain[0] with { PayloadJson = """{"caseId":"c1","lane":"lane-2"}""" };

        var result = await Verify(chain, EvidenceState.Missing);

        Assert.Equal((1L, AuditFailureReason.PayloadEdited), (result.FirstFailure!.Sequence, result.FirstFailure.Reason));
    }
}
