using OneThing.Edge.Domain.Audit;
using Xunit;
using static OneThing.Edge.Domain.Tests.Audit.AuditChains;

namespace OneThing.Edge.Domain.Tests.Audit;

/// <summary>The chain alone: edits, removals, reorderings and evidence files, each named at its entry.</summary>
public class AuditVerifierTests
{
    [Fact]
    public async Task An_untouched_chain_verifies()
    {
        var result = await Verify(Chain());

        Assert.True(result.Ok);
        Assert.Equal(5, result.EntriesChecked);
    }

    [Fact]
    public async Task A_missing_redacted_copy_is_reported_at_the_entry_that_stored_it()
    {
        const string copy = "bb22bb22bb22bb22bb22bb22bb22bb22bb22bb22bb22bb22bb22bb22bb22bb22";
        var entries = new[]
        {
            AuditChain.Next(null, AuditKinds.EvidenceStored, T0, $$"""{"caseId":"c1","kind":"overview","sha256":"{{EvidenceSha}}","redactedSha256":"{{copy}}"}"""),
        };

        var result = await AuditVerifier.VerifyAsync(entries,
            (sha, _) => ValueTask.FromResult(sha == copy ? EvidenceState.Missing : EvidenceState.Intact), CancellationToken.None);

        Assert.Equal(new AuditFailure(1, AuditFailureReason.EvidenceMissing, $"evidence file {copy} is missing"), result.FirstFailure);
    }

    [Fact]
    public void Chain_links_each_entry_to_the_previous_one()
    {
        var chain = Chain();

        Assert.Equal(AuditChain.GenesisHash, chain[0].PreviousHash);
        Assert.All(chain.Zip(chain.Skip(1)), p => Assert.Equal(p.First.EntryHash, p.Second.PreviousHash));
        Assert.Equal([1L, 2, 3, 4, 5], chain.Select(e => e.Sequence));
    }

    [Fact]
    public async Task An_edited_payload_is_reported_at_its_entry()
    {
        var chain = Chain();
        chain[2] = chain[2] with { PayloadJson = """{"caseId":"c1","status":500}""" };

        var result = await Verify(chain);

        Assert.Equal(new AuditFailure(3, AuditFailureReason.PayloadEdited, result.FirstFailure!.Detail), result.FirstFailure);
        Assert.Equal(2, result.EntriesChecked);
    }

    [Fact]
    public async Task An_edited_time_is_reported_as_an_edited_entry()
    {
        var chain = Chain();
        chain[1] = chain[1] with { At = chain[1].At.AddHours(-1) };

        var failure = (await Verify(chain)).FirstFailure!;

        Assert.Equal((2L, AuditFailureReason.EntryEdited), (failure.Sequence, failure.Reason));
    }

    [Fact]
    public async Task An_entry_rewritten_with_fresh_hashes_is_caught_by_the_next_link()
    {
        var chain = Chain();
        var forged = AuditChain.Next(chain[1], chain[2].Kind, chain[2].At, """{"caseId":"c1","status":500}""");
        chain[2] = forged;

        var failure = (await Verify(chain)).FirstFailure!;

        Assert.Equal((3L, AuditFailureReason.EntryEdited), (failure.Sequence, failure.Reason));
    }

    [Fact]
    public async Task A_removed_entry_is_reported_with_its_sequence()
    {
        var chain = Chain();
        chain.RemoveAt(2);

        var failure = (await Verify(chain)).FirstFailure!;

        Assert.Equal((3L, AuditFailureReason.Removed), (failure.Sequence, failure.Reason));
    }

    [Fact]
    public async Task A_removed_first_entry_is_reported()
    {
        var chain = Chain();
        chain.RemoveAt(0);

        var failure = (await Verify(chain)).FirstFailure!;

        Assert.Equal((1L, AuditFailureReason.Removed), (failure.Sequence, failure.Reason));
    }

    [Fact]
    public async Task Reordered_entries_are_reported_where_the_order_breaks()
    {
        var chain = Chain();
        (chain[2], chain[3]) = (chain[3], chain[2]);

        var failure = (await Verify(chain)).FirstFailure!;

        Assert.Equal((3L, AuditFailureReason.Reordered), (failure.Sequence, failure.Reason));
    }

    [Fact]
    public async Task Swapped_contents_under_kept_sequence_numbers_are_reported_as_reordered()
    {
        var chain = Chain();
        (chain[2], chain[3]) = (chain[3] with { Sequence = 3 }, chain[2] with { Sequence = 4 });

        var failure = (await Verify(chain)).FirstFailure!;

        Assert.Equal((3L, AuditFailureReason.Reordered), (failure.Sequence, failure.Reason));
    }

    [Theory]
    [InlineData(EvidenceState.Mismatch, AuditFailureReason.EvidenceMismatch)]
    [InlineData(EvidenceState.Missing, AuditFailureReason.EvidenceMissing)]
    public async Task An_evidence_file_that_changed_or_went_is_reported_at_its_entry(EvidenceState state, AuditFailureReason reason)
    {
        string? asked = null;
        var result = await AuditVerifier.VerifyAsync(Chain(), (sha, _) =>
        {
            asked = sha;
            return ValueTask.FromResult(state);
        }, CancellationToken.None);

        Assert.Equal(EvidenceSha, asked);
        Assert.Equal((2L, reason), (result.FirstFailure!.Sequence, result.FirstFailure.Reason));
    }

    [Fact]
    public async Task A_chain_rewritten_from_an_entry_onwards_differs_from_the_published_head()
    {
        var chain = Chain();
        var head = new AuditHead(chain[^1].Sequence, chain[^1].EntryHash);
        // Rewrite entry 3 and recompute every hash after it: consistent on its own.
        var rewritten = chain.Take(2).ToList();
        foreach (var e in chain.Skip(2))
        {
            rewritten.Add(AuditChain.Next(rewritten[^1], e.Kind, e.At, e.Sequence == 3 ? """{"caseId":"c1","status":500}""" : e.PayloadJson));
        }
        Assert.True((await Verify(rewritten)).Ok);

        var result = await AuditVerifier.VerifyAsync(rewritten, (_, _) => ValueTask.FromResult(EvidenceState.Intact), CancellationToken.None, head);

        Assert.Equal((5L, AuditFailureReason.EntryEdited), (result.FirstFailure!.Sequence, result.FirstFailure.Reason));
    }

    [Fact]
    public void The_entry_hash_covers_every_field()
    {
        var e = Chain()[1];
        var original = AuditChain.ComputeEntryHash(e.Sequence, e.Kind, e.At, e.PayloadSha256, e.PreviousHash);

        Assert.Equal(e.EntryHash, original);
        Assert.NotEqual(original, AuditChain.ComputeEntryHash(e.Sequence + 1, e.Kind, e.At, e.PayloadSha256, e.PreviousHash));
        Assert.NotEqual(original, AuditChain.ComputeEntryHash(e.Sequence, AuditKinds.Export, e.At, e.PayloadSha256, e.PreviousHash));
        Assert.NotEqual(original, AuditChain.ComputeEntryHash(e.Sequence, e.Kind, e.At.AddTicks(1), e.PayloadSha256, e.PreviousHash));
        Assert.NotEqual(original, AuditChain.ComputeEntryHash(e.Sequence, e.Kind, e.At, AuditChain.GenesisHash, e.PreviousHash));
        Assert.NotEqual(original, AuditChain.ComputeEntryHash(e.Sequence, e.Kind, e.At, e.PayloadSha256, AuditChain.GenesisHash));
    }
}
