using OneThing.Edge.Domain.Audit;
using Xunit;

namespace OneThing.Edge.Domain.Tests.Audit;

public class AuditVerifierTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);
    private const string EvidenceSha = "aa11aa11aa11aa11aa11aa11aa11aa11aa11aa11aa11aa11aa11aa11aa11aa11";

    /// <summary>Five entries; entry 2 stores evidence.</summary>
    private static List<AuditEntry> Chain()
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
        string[] kinds = [AuditKinds.ViolationConfirmed, AuditKinds.EvidenceStored, AuditKinds.Forwarded, AuditKinds.Receipt, AuditKinds.Export];
        for (var i = 0; i < payloads.Length; i++)
        {
            last = AuditChain.Next(last, kinds[i], T0.AddSeconds(i), payloads[i]);
            entries.Add(last);
        }
        return entries;
    }

    private static ValueTask<AuditVerification> Verify(IReadOnlyList<AuditEntry> entries, EvidenceState evidence = EvidenceState.Intact) =>
        AuditVerifier.VerifyAsync(entries, (_, _) => ValueTask.FromResult(evidence), CancellationToken.None);

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

    /// <summary>The chain from entry <paramref name="from"/> on rewritten with new payloads and recomputed hashes, as someone with the database file could.</summary>
    private static List<AuditEntry> Rewritten(List<AuditEntry> chain, int from)
    {
        var rewritten = chain.Take(from - 1).ToList();
        foreach (var e in chain.Skip(from - 1))
        {
            rewritten.Add(AuditChain.Next(rewritten.LastOrDefault(), e.Kind, e.At, e.Sequence == from ? e.PayloadJson.Replace("c1", "c9", StringComparison.Ordinal) : e.PayloadJson));
        }
        return rewritten;
    }

    private static AuditAnchor Anchor(AuditEntry e) => new("site-1", "gateway-a", e.Sequence, e.EntryHash, e.At);

    [Fact]
    public async Task A_consistently_rewritten_chain_verifies_alone_but_not_against_its_anchors()
    {
        var chain = Chain();
        AuditAnchor[] anchors = [Anchor(chain[1]), Anchor(chain[3]), Anchor(chain[4])];
        var rewritten = Rewritten(chain, 3);

        Assert.True((await Verify(rewritten)).Ok);
        var failure = AuditAnchoring.Check(rewritten, anchors)!;
        Assert.Equal((4L, AuditFailureReason.AnchorMismatch), (failure.Sequence, failure.Reason));
        Assert.Contains("at or after entry 3", failure.Detail, StringComparison.Ordinal);
        Assert.Null(AuditAnchoring.Check(chain, anchors));
    }

    [Fact]
    public void Entries_cut_off_after_an_anchor_are_named_against_it()
    {
        var chain = Chain();

        var failure = AuditAnchoring.Check(chain.Take(3).ToList(), [Anchor(chain[4])])!;

        Assert.Equal((4L, AuditFailureReason.Removed), (failure.Sequence, failure.Reason));
    }

    [Theory]
    [InlineData(0L, 0L, 60, false)] // nothing written yet
    [InlineData(9L, 5L, 1, false)] // 4 new entries, a minute: not yet
    [InlineData(105L, 5L, 1, true)] // 100 new entries
    [InlineData(100L, 0L, 1, true)] // the first 100 entries
    [InlineData(6L, 5L, 15, true)] // one new entry, the interval passed
    [InlineData(1L, 0L, 15, true)] // the first entry, the interval passed since it was written
    [InlineData(5L, 5L, 60, false)] // nothing new to anchor however long it has been
    public void An_anchor_is_due_after_N_entries_or_M_minutes_with_something_new(long head, long last, int minutesSince, bool due)
    {
        var now = T0.AddHours(1);
        var current = head == 0 ? null : new AuditHead(head, new string('b', 64));

        Assert.Equal(due, AuditAnchoring.IsDue(current, last, now.AddMinutes(-minutesSince), now, everyEntries: 100, interval: TimeSpan.FromMinutes(15)));
    }

    [Fact]
    public void A_run_cut_from_the_chain_verifies_with_other_payloads_withheld_and_names_an_edited_one()
    {
        var run = Chain().Skip(1).ToList();
        run[1] = run[1] with { PayloadJson = "" }; // another case's entry: only its hash travels

        Assert.True(AuditVerifier.VerifySegment(run, e => e.Sequence == 3).Ok);

        run[2] = run[2] with { PayloadJson = """{"reportId":"r2","status":"accepted"}""" };
        var failure = AuditVerifier.VerifySegment(run, e => e.Sequence == 3).FirstFailure!;
        Assert.Equal((4L, AuditFailureReason.PayloadEdited), (failure.Sequence, failure.Reason));
    }
}
