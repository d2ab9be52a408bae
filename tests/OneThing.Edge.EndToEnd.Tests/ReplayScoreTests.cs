using OneThing.Edge.Domain.Cases;
using OneThing.Edge.Host.Replay;
using OneThing.Edge.Storage.Cases;
using Xunit;

namespace OneThing.Edge.EndToEnd.Tests;

public sealed class ReplayScoreTests
{
    private static readonly DateTimeOffset T = new(2026, 3, 2, 8, 0, 0, TimeSpan.Zero);

    private static CaseSummary Case(string lane, string? plate) => new(Guid.NewGuid(), CaseState.Confirmed, lane, plate, "cam", T, T.AddSeconds(20));

    private static ExpectedCase Want(string lane, string? plate, bool confirmed = true) => new() { Lane = lane, Plate = plate, Confirmed = confirmed };

    [Fact]
    public void A_wrong_plate_counts_as_found_but_lowers_plate_accuracy()
    {
        var score = ReplayScore.Of([Want("a", "浙B2V9L7"), Want("a", "辽DU4356")], [Case("a", "辽DU4356"), Case("a", "浙B2V9L1")]);
        Assert.Equal(1.0, score.Recall);
        Assert.Equal(1.0, score.Precision);
        Assert.Equal(0.5, score.PlateAccuracy);
    }

    [Fact]
    public void An_extra_case_and_a_forbidden_case_lower_precision_and_a_missing_one_recall()
    {
        var score = ReplayScore.Of(
            [Want("a", "浙B2V9L7"), Want("a", "辽DU4356"), Want("b", "粤NBM959", confirmed: false)],
            [Case("a", "浙B2V9L7"), Case("b", "粤NBM959"), Case("c", null)]);
        Assert.Equal(1.0 / 3, score.Precision, 3);
        Assert.Equal(0.5, score.Recall);
        Assert.Contains(score.Outcomes, o => o.Verdict == "cited but must not be");
        Assert.Contains(score.Outcomes, o => o.Verdict == "extra case");
        Assert.Contains(score.Outcomes, o => o.Verdict == "missed");
    }

    [Fact]
    public void Nothing_expected_and_nothing_cited_is_perfect() => Assert.True(ReplayScore.Of([Want("a", null, confirmed: false)], []).Perfect);
}
