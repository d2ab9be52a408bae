using OneThing.Edge.Domain.Audit;
using Xunit;
using static OneThing.Edge.Domain.Tests.Audit.AuditChains;

namespace OneThing.Edge.Domain.Tests.Audit;

/// <summary>The chain against anchors held elsewhere, when an anchor is due, and a run cut from the chain (a case export).</summary>
public class AuditAnchorVerifierTests
{
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
