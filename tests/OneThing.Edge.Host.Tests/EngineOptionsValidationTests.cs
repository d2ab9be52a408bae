using OneThing.Edge.Domain.Engine;
using OneThing.Edge.Host.Configuration;
using Xunit;

namespace OneThing.Edge.Host.Tests;

public sealed class EngineOptionsValidationTests
{
    private static readonly ViolationEngineOptions Defaults = new();

    private static IEnumerable<string> Failures(ViolationEngineOptions options) =>
        new EngineOptionsValidation().Validate(null, options).Failures ?? [];

    [Fact]
    public void The_defaults_are_valid() => Assert.Empty(Failures(Defaults));

    public static TheoryData<ViolationEngineOptions, string> OneRuleBroken => new()
    {
        { Defaults with { Tracker = Defaults.Tracker with { IouThreshold = 1.5 } }, "OneThing:Engine:Tracker:IouThreshold must be above 0 and at most 1 (got 1.5)" },
        { Defaults with { Tracker = Defaults.Tracker with { IouThreshold = 0 } }, "OneThing:Engine:Tracker:IouThreshold must be above 0 and at most 1 (got 0)" },
        { Defaults with { Tracker = Defaults.Tracker with { HighScore = 1.2f } }, "OneThing:Engine:Tracker:HighScore must be between 0 and 1 (got 1.2)" },
        { Defaults with { Tracker = Defaults.Tracker with { LowScore = -0.1f } }, "OneThing:Engine:Tracker:LowScore must be between 0 and 1 (got -0.1)" },
        { Defaults with { Tracker = Defaults.Tracker with { LowScore = 0.6f } }, "OneThing:Engine:Tracker:LowScore must not exceed OneThing:Engine:Tracker:HighScore (got 0.6 > 0.5)" },
        { Defaults with { Tracker = Defaults.Tracker with { MaxMissSeconds = 0 } }, "OneThing:Engine:Tracker:MaxMissSeconds must be above 0 and at most 86400 seconds (got 0)" },
        { Defaults with { Tracker = Defaults.Tracker with { MaxMissSeconds = 1e6 } }, "OneThing:Engine:Tracker:MaxMissSeconds must be above 0 and at most 86400 seconds (got 1000000)" },
        { Defaults with { Tracker = Defaults.Tracker with { MaxMissSeconds = double.NaN } }, "OneThing:Engine:Tracker:MaxMissSeconds must be above 0 and at most 86400 seconds (got NaN)" },
        { Defaults with { Tracker = Defaults.Tracker with { StationaryTolerance = 0 } }, "OneThing:Engine:Tracker:StationaryTolerance must be above 0 and at most 1 (got 0)" },
        { Defaults with { Tracker = Defaults.Tracker with { StationaryLockSeconds = -1 } }, "OneThing:Engine:Tracker:StationaryLockSeconds must be between 0 and 86400 seconds (got -1)" },
        { Defaults with { MinEvidenceGapSeconds = -1 }, "OneThing:Engine:MinEvidenceGapSeconds must be between 0 and 86400 seconds (got -1)" },
        { Defaults with { PlateRequestIntervalSeconds = 0 }, "OneThing:Engine:PlateRequestIntervalSeconds must be above 0 and at most 86400 seconds (got 0)" },
        { Defaults with { PlateCheckLeadSeconds = -0.5 }, "OneThing:Engine:PlateCheckLeadSeconds must be between 0 and 86400 seconds (got -0.5)" },
        { Defaults with { MinPlateReadingConfidence = 2 }, "OneThing:Engine:MinPlateReadingConfidence must be between 0 and 1 (got 2)" },
        { Defaults with { ReidentifyIoU = 0 }, "OneThing:Engine:ReidentifyIoU must be above 0 and at most 1 (got 0)" },
        { Defaults with { PlateReadingsAgreeing = 0 }, "OneThing:Engine:PlateReadingsAgreeing must be at least 1 (got 0)" },
        { Defaults with { PlateReadingsWanted = 0 }, "OneThing:Engine:PlateReadingsWanted must be at least 1 (got 0)" },
        { Defaults with { MaxPlateRequests = 0 }, "OneThing:Engine:MaxPlateRequests must be at least 1 (got 0)" },
        { Defaults with { PlateReadingsAgreeing = 6 }, "OneThing:Engine:PlateReadingsAgreeing must not exceed OneThing:Engine:PlateReadingsWanted (got 6 > 5)" },
        { Defaults with { PlateReadingsWanted = 11 }, "OneThing:Engine:PlateReadingsWanted must not exceed OneThing:Engine:MaxPlateRequests (got 11 > 10)" },
    };

    [Theory]
    [MemberData(nameof(OneRuleBroken))]
    public void Each_rule_names_its_key(ViolationEngineOptions options, string expected) =>
        Assert.Equal(expected, Assert.Single(Failures(options)));

    [Fact]
    public void The_edges_of_each_range_are_valid()
    {
        var edges = Defaults with
        {
            Tracker = Defaults.Tracker with { IouThreshold = 1, HighScore = 0.2f, LowScore = 0.2f, MaxMissSeconds = 86400, StationaryTolerance = 1, StationaryLockSeconds = 0 },
            MinEvidenceGapSeconds = 0,
            PlateCheckLeadSeconds = 0,
            MinPlateReadingConfidence = 0,
            ReidentifyIoU = 1,
            PlateReadingsAgreeing = 1,
            PlateReadingsWanted = 1,
            MaxPlateRequests = 1,
        };
        Assert.Empty(Failures(edges));
    }

    [Fact]
    public void Every_broken_rule_is_reported_at_once()
    {
        var failures = Failures(Defaults with { ReidentifyIoU = 2, Tracker = Defaults.Tracker with { MaxMissSeconds = -1 } }).ToList();
        Assert.Equal(2, failures.Count);
        Assert.Contains(failures, f => f.StartsWith("OneThing:Engine:ReidentifyIoU ", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("OneThing:Engine:Tracker:MaxMissSeconds ", StringComparison.Ordinal));
    }
}
