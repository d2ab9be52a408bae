using OneThing.Edge.Domain.Dwell;
using OneThing.Edge.Domain.Geometry;
using OneThing.Edge.Domain.Lanes;
using Xunit;

namespace OneThing.Edge.Domain.Tests.Engine;

/// <summary>One case per car across broken tracks, departures, restarts and late frames.</summary>
public partial class ViolationEngineTests
{
    [Fact]
    public void A_broken_track_is_recognised_by_its_plate_and_stays_one_case()
    {
        var street = new Street();
        street.Run(Minutes(3), Parked);

        // The detector's box jumps (lighting): too far for the parked track, too little overlap for position.
        var shifted = new Car(new Box(560, 600, 960, 900), "京A12345");
        street.Run(Minutes(5), shifted);

        Assert.Single(street.Of<ViolationConfirmed>());
        var resumed = Assert.Single(street.Of<CaseResumed>());
        Assert.Equal(ResumeReason.SamePlate, resumed.Reason);
        Assert.NotEqual(street.Of<ViolationConfirmed>().Single().TrackId, resumed.TrackId);
        Assert.Empty(street.Of<VehicleDeparted>());
    }

    [Fact]
    public void A_broken_track_without_a_readable_plate_is_recognised_by_its_position()
    {
        var street = new Street();
        street.Run(Minutes(3), new Car(Street.ParkedBox, null));

        street.Run(Minutes(5), new Car(new Box(480, 600, 880, 900), null));

        Assert.Single(street.Of<ViolationConfirmed>());
        Assert.Equal(ResumeReason.SamePosition, Assert.Single(street.Of<CaseResumed>()).Reason);
        Assert.Empty(street.Of<VehicleDeparted>());
    }

    [Fact]
    public void Departure_after_confirmation_is_reported_with_the_case_id_and_last_sighting()
    {
        var street = new Street();
        street.Run(Minutes(5), Parked);
        var lastSeen = street.Clock.GetUtcNow() - Second;

        street.Empty(Minutes(2));

        var confirmed = Assert.Single(street.Of<ViolationConfirmed>());
        var departed = Assert.Single(street.Of<VehicleDeparted>());
        Assert.Equal(confirmed.CaseId, departed.CaseId);
        Assert.Equal(lastSeen, departed.LastSeenAt);
        Assert.InRange(departed.At - lastSeen, Seconds(30), Seconds(32));
        Assert.Equal(1, street.Engine.Counters.Departures);
        Assert.Equal(0, street.Engine.Counters.OpenCases);
    }

    [Fact]
    public void Driving_off_is_a_departure_even_while_the_car_is_still_in_view()
    {
        var street = new Street();
        street.Run(Minutes(5), Parked);

        street.Run(Seconds(60), t =>
        {
            var x = 400 + 40 * (float)(t.TotalSeconds + 1);
            return [new Car(new Box(x, 600, x + 400, 900), "京A12345")];
        });

        Assert.Single(street.Of<VehicleDeparted>());
        Assert.Single(street.Of<ViolationConfirmed>());
    }

    [Fact]
    public void After_a_restart_a_restored_case_keeps_its_still_parked_car_from_being_cited_again()
    {
        var before = new Street();
        before.Run(Minutes(5), Parked);
        var confirmed = Assert.Single(before.Of<ViolationConfirmed>());

        var after = new Street();
        after.Clock.SetUtcNow(before.Clock.GetUtcNow() + Minutes(2));   // the gateway was down for two minutes
        after.Engine.RestoreCase(confirmed.CaseId, confirmed.LaneId, confirmed.Plate, confirmed.TrackBox, confirmed.ConfirmedAt, before.Clock.GetUtcNow(), departed: false);
        after.Run(Minutes(10), Parked);

        Assert.Empty(after.Of<ViolationConfirmed>());
        Assert.Empty(after.Of<VehicleDeparted>());
        Assert.Equal(confirmed.CaseId, Assert.Single(after.Of<CaseResumed>()).CaseId);
    }

    [Fact]
    public void After_a_restart_a_restored_case_whose_car_is_gone_departs_after_the_inertia()
    {
        var after = new Street();
        var caseId = Guid.NewGuid();
        after.Engine.RestoreCase(caseId, "lane-1", "京A12345", Street.ParkedBox, after.Clock.GetUtcNow() - Minutes(10), after.Clock.GetUtcNow() - Minutes(3), departed: false);

        after.Empty(Minutes(1));

        var departed = Assert.Single(after.Of<VehicleDeparted>());
        Assert.Equal(caseId, departed.CaseId);
    }

    [Fact]
    public void A_frame_older_than_the_last_one_is_ignored_and_counted()
    {
        var street = new Street();
        street.Run(Seconds(20), Parked);

        var late = street.Engine.Observe(street.Clock.GetUtcNow() - Minutes(1), Street.Width, Street.Height, []);

        Assert.Empty(late);
        Assert.Equal(1, street.Engine.Counters.FramesOutOfOrder);
    }
}
