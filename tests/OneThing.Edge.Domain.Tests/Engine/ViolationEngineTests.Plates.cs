using OneThing.Edge.Domain.Dwell;
using OneThing.Edge.Domain.Geometry;
using OneThing.Edge.Domain.Lanes;
using Xunit;

namespace OneThing.Edge.Domain.Tests.Engine;

/// <summary>The plate of a stopped vehicle: asked for on a few frames, less often when not found, voted.</summary>
public partial class ViolationEngineTests
{
    [Fact]
    public void Plate_is_asked_for_on_a_few_frames_of_a_stopped_vehicle_not_every_frame()
    {
        var street = new Street();

        street.Run(Minutes(5), new Car(Street.ParkedBox, Plate: null));

        var asks = street.Of<PlateNeeded>().ToList();
        Assert.InRange(asks.Count, 2, 11); // at most 10 while stopped, plus one check just before confirmation
        Assert.All(asks.Zip(asks.Skip(1)), p => Assert.True(p.Second.At - p.First.At >= Seconds(2)));
        var confirmed = Assert.Single(street.Of<ViolationConfirmed>());
        Assert.Null(confirmed.Plate);
        Assert.True(confirmed.PlateUnreadable);
    }

    [Fact]
    public void A_plate_that_is_not_found_is_looked_for_less_and_less_often()
    {
        var street = new Street();

        street.Run(Minutes(5), new Car(Street.ParkedBox, Plate: null));

        var confirmed = Assert.Single(street.Of<ViolationConfirmed>());
        var asks = street.Of<PlateNeeded>().Select(a => (a.At - confirmed.FirstSeenAt).TotalSeconds).ToList();
        // Stopped at 10 s; each miss doubles the 2 s wait (4, 8, 16, then 32 s at most); the check 5 s before
        // confirmation is always made.
        Assert.Equal([10, 14, 22, 38, 70, 102, 125], asks);
    }

    [Fact]
    public void A_plate_read_alike_three_times_is_read_again_only_for_the_check_before_confirmation()
    {
        var street = new Street();

        street.Run(Minutes(5), Parked);

        var confirmed = Assert.Single(street.Of<ViolationConfirmed>());
        var asks = street.Of<PlateNeeded>().Select(a => a.At).ToList();
        var stop = confirmed.FirstSeenAt + Seconds(10);
        Assert.Equal([stop, stop + Seconds(2), stop + Seconds(4), confirmed.ConfirmedAt - Seconds(5)], asks);
        Assert.Equal("京A12345", confirmed.Plate);
    }

    [Fact]
    public void Readings_that_disagree_keep_the_plate_asked_for_until_five_arrived()
    {
        var street = new Street();
        // Stopped at 10 s, asked every 2 s: the second and fourth reads see the last digit as 6.
        street.Run(Minutes(5), t => [new Car(Street.ParkedBox, t == Seconds(12) || t == Seconds(16) ? "京A12346" : "京A12345")]);

        var confirmed = Assert.Single(street.Of<ViolationConfirmed>());
        var asks = street.Of<PlateNeeded>().Select(a => a.At - confirmed.FirstSeenAt).ToList();
        Assert.Equal([Seconds(10), Seconds(12), Seconds(14), Seconds(16), Seconds(18), Seconds(125)], asks); // five readings, then the check
        Assert.Equal("京A12345", confirmed.Plate);
    }
}
