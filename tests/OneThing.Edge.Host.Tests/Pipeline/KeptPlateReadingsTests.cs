using OneThing.Edge.Domain.Detections;
using OneThing.Edge.Domain.Geometry;
using OneThing.Edge.Host.Pipeline;
using Xunit;

namespace OneThing.Edge.Host.Tests.Pipeline;

/// <summary>A kept plate reading is reused only for the same track in the same place, and never after the detector ran again.</summary>
public sealed class KeptPlateReadingsTests
{
    private static readonly Box Parked = new(400, 300, 700, 520);
    private static readonly PlateReading Reading = new("京A12345", 0.95f, true, new Box(500, 470, 600, 500), [], 0.9f, false);

    private static KeptPlateReadings WithReading()
    {
        var kept = new KeptPlateReadings();
        kept.Keep(7, Parked, Reading);
        return kept;
    }

    [Fact]
    public void The_same_track_whose_box_did_not_move_gets_its_reading_back()
    {
        var kept = WithReading();

        Assert.Same(Reading, kept.Find(7, Parked));
        Assert.Same(Reading, kept.Find(7, new Box(402, 301, 701, 521))); // detector jitter
    }

    [Fact]
    public void A_box_that_moved_reads_again()
    {
        var moved = new Box(440, 300, 740, 520); // IoU 0.76

        Assert.Null(WithReading().Find(7, moved));
    }

    [Fact]
    public void Another_track_in_the_same_place_reads_again()
    {
        Assert.Null(WithReading().Find(8, Parked));
    }

    [Fact]
    public void After_the_detector_ran_or_the_stop_ended_every_track_reads_again()
    {
        var forgotten = WithReading();
        forgotten.Forget();
        var dropped = WithReading();
        dropped.Drop(7);

        Assert.Null(forgotten.Find(7, Parked));
        Assert.Null(dropped.Find(7, Parked));
    }
}
