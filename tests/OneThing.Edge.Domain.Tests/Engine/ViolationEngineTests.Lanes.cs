using OneThing.Edge.Domain.Dwell;
using OneThing.Edge.Domain.Geometry;
using OneThing.Edge.Domain.Lanes;
using Xunit;

namespace OneThing.Edge.Domain.Tests.Engine;

/// <summary>Lanes reloaded or removed while vehicles stop in them.</summary>
public partial class ViolationEngineTests
{
    [Fact]
    public void Reloading_lanes_during_a_stop_keeps_the_stop_and_its_timers()
    {
        var street = new Street(confirmSeconds: 120);
        var start = street.Clock.GetUtcNow();
        street.Run(Seconds(60), Parked);
        var stopped = Assert.Single(street.Of<EvidenceNeeded>());

        var reloaded = Street.LowerHalf("lane-1", stopSeconds: 10, confirmSeconds: 100) with
        {
            Polygon = [new PointF(0, 0.45f), new PointF(1, 0.45f), new PointF(1, 1), new PointF(0, 1)],
        };
        street.Engine.UpdateLanes([reloaded, Street.LowerHalf("lane-2") with { Polygon = [new PointF(0, 0), new PointF(0.2f, 0), new PointF(0.2f, 0.2f)] }]);
        street.Run(Minutes(5), Parked);

        var confirmed = Assert.Single(street.Of<ViolationConfirmed>());
        Assert.Equal(stopped.TrackId, confirmed.TrackId);
        Assert.Equal(start, confirmed.FirstSeenAt);
        Assert.Equal(stopped.At + Seconds(100), confirmed.ConfirmedAt);
        Assert.Empty(street.Of<StopDismissed>());
    }

    [Fact]
    public void Removing_the_lane_during_a_stop_dismisses_the_stop()
    {
        var street = new Street();
        street.Run(Seconds(30), Parked);

        street.Engine.UpdateLanes([Street.LowerHalf("lane-2") with { Polygon = [new PointF(0, 0), new PointF(0.2f, 0), new PointF(0.2f, 0.2f)] }]);
        street.Run(Minutes(5), Parked);

        Assert.Empty(street.Of<ViolationConfirmed>());
        Assert.Equal("lane-1", Assert.Single(street.Of<StopDismissed>()).LaneId);
    }

    [Fact]
    public void Reloading_lanes_after_confirmation_keeps_the_case_open()
    {
        var street = new Street();
        street.Run(Minutes(3), Parked);

        street.Engine.UpdateLanes([Street.LowerHalf("lane-1", confirmSeconds: 60, cooldownMinutes: 10)]);
        street.Run(Minutes(10), Parked);

        Assert.Single(street.Of<ViolationConfirmed>());
        Assert.Equal(1, street.Engine.Counters.OpenCases);
    }

    [Fact]
    public void Invalid_lanes_on_reload_are_rejected_and_the_old_ones_stay()
    {
        var street = new Street();

        var error = Assert.Throws<ArgumentException>(() => street.Engine.UpdateLanes([street.Lane with { StopSeconds = 0 }]));

        Assert.Contains("StopSeconds", error.Message, StringComparison.Ordinal);
        Assert.Same(street.Lane, Assert.Single(street.Engine.Lanes));
    }
}
