using OneThing.Edge.Host.WhatIf;
using OneThing.Edge.Domain.Cases;
using OneThing.Edge.Storage.Cases;
using OneThing.Edge.Storage.Labels;
using Xunit;

namespace OneThing.Edge.Host.Tests.Tuning;

/// <summary>Live and candidate cases compared by their stops, and scored against operators' labels.</summary>
public sealed class WhatIfComparisonTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    private static CaseSummary Case(int stoppedAt, int confirmedAt, string? plate = null) =>
        new(Guid.NewGuid(), CaseState.Confirmed, "lane-a", plate, "cam-1", T0.AddSeconds(stoppedAt), T0.AddSeconds(confirmedAt));

    private static CaseLabel Label(CaseSummary c, string verdict, string? reason = null) => new(c.Id, verdict, reason, "op", T0);

    [Fact]
    public void A_longer_confirmation_keeps_long_stops_drops_short_ones_and_precision_rises()
    {
        var parked = Case(0, 20, "浙B2V9L7");
        var delivery = Case(100, 120);
        var truth = new LaneTruth([(parked, Label(parked, CaseVerdicts.Correct)), (delivery, Label(delivery, CaseVerdicts.FalseAlarm, "short-stop"))], []);
        // Replays of the footage: live settings find both, the candidate (longer ConfirmSeconds) only the parked car, later.
        IReadOnlyList<CaseSummary> live = [Case(1, 21, "浙B2V9L7"), Case(101, 121)];
        IReadOnlyList<CaseSummary> candidate = [Case(1, 61, "浙B2V9L7")];

        var (liveScore, candidateScore, cases) = WhatIfComparison.Compare(live, candidate, truth);

        Assert.Equal([WhatIfComparison.Kept, WhatIfComparison.Dropped], cases.Select(c => c.Change));
        Assert.Equal("correct", cases[0].Label);
        Assert.Equal("false-alarm: short-stop", cases[1].Label);
        Assert.Equal(0.5, liveScore.Precision);
        Assert.Equal(1.0, candidateScore.Precision);
        Assert.Equal(1.0, liveScore.Recall);
        Assert.Equal(1.0, candidateScore.Recall);
        Assert.Equal(20, liveScore.MedianSecondsToConfirm);
        Assert.Equal(60, candidateScore.MedianSecondsToConfirm);
    }

    [Fact]
    public void A_case_over_a_missed_violation_is_added_and_raises_recall()
    {
        var missed = new MissedViolation(Guid.NewGuid(), "cam-1", "lane-a", T0.AddSeconds(200), T0.AddSeconds(400), "op", null, T0);
        var truth = new LaneTruth([], [missed]);

        var (liveScore, candidateScore, cases) = WhatIfComparison.Compare([], [Case(210, 240)], truth);

        Assert.Equal(WhatIfComparison.Added, Assert.Single(cases).Change);
        Assert.Equal("missed violation", cases[0].Label);
        Assert.Equal(0.0, liveScore.Recall);
        Assert.Equal(1.0, candidateScore.Recall);
        Assert.Null(liveScore.MedianSecondsToConfirm);
    }

    [Fact]
    public void Without_labels_there_is_no_precision_or_recall_only_the_changes()
    {
        var (liveScore, candidateScore, cases) = WhatIfComparison.Compare([Case(0, 20)], [Case(0, 20)], new LaneTruth([], []));

        Assert.Equal(WhatIfComparison.Kept, Assert.Single(cases).Change);
        Assert.Null(liveScore.Precision);
        Assert.Null(candidateScore.Recall);
        Assert.Equal(0, candidateScore.Labelled);
    }
}
