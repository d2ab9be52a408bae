using OneThing.Edge.Domain.Detections;
using OneThing.Edge.Domain.Geometry;
using OneThing.Edge.Domain.Tracking;
using Xunit;

namespace OneThing.Edge.Domain.Tests.Tracking;

public class TrackerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);

    private static VehicleDetection Car(float x, float score = 0.9f) => new(new Box(x, 100, x + 200, 250), score, "car");

    [Fact]
    public void A_moving_car_keeps_its_track_id()
    {
        var tracker = new Tracker();
        var ids = new HashSet<int>();
        for (var s = 0; s < 20; s++)
        {
            ids.Add(tracker.Update(T0.AddSeconds(s), [Car(20 * s)]).Active.Single().Id);
        }
        Assert.Single(ids);
        Assert.True(tracker.Tracks.Single().StillFor <= TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void Weak_detections_continue_a_track_but_never_start_one()
    {
        var tracker = new Tracker();
        tracker.Update(T0, [Car(0)]);

        var update = tracker.Update(T0.AddSeconds(1), [Car(5, score: 0.2f), Car(800, score: 0.2f)]);

        var track = Assert.Single(update.Active);
        Assert.True(track.SeenInLastFrame);
        Assert.Equal(5, track.Box.X1);
    }

    [Fact]
    public void A_track_survives_misses_up_to_the_inertia_and_is_removed_after()
    {
        var tracker = new Tracker(new TrackerOptions { MaxMissSeconds = 30 });
        tracker.Update(T0, [Car(0)]);

        var during = tracker.Update(T0.AddSeconds(30), []);
        Assert.False(Assert.Single(during.Active).SeenInLastFrame);

        var after = tracker.Update(T0.AddSeconds(30.5), []);
        Assert.Empty(after.Active);
        Assert.Single(after.Removed);
    }

    [Fact]
    public void Stationarity_tolerates_jitter_relative_to_box_size_and_resets_on_movement()
    {
        var tracker = new Tracker(new TrackerOptions { StationaryTolerance = 0.1, StationaryLockSeconds = 1000 });
        for (var s = 0; s < 10; s++)
        {
            tracker.Update(T0.AddSeconds(s), [Car(s % 2 == 0 ? 0 : 12)]); // 6 % of the width
        }
        Assert.Equal(TimeSpan.FromSeconds(9), tracker.Tracks.Single().StillFor);

        tracker.Update(T0.AddSeconds(10), [Car(30)]); // 15 % of the width away from where it stood
        Assert.Equal(TimeSpan.Zero, tracker.Tracks.Single().StillFor);
    }

    [Fact]
    public void A_parked_track_is_not_taken_over_by_an_overlapping_passing_box()
    {
        var tracker = new Tracker(new TrackerOptions { StationaryLockSeconds = 5 });
        for (var s = 0; s < 10; s++)
        {
            tracker.Update(T0.AddSeconds(s), [Car(0)]);
        }
        var parked = tracker.Tracks.Single();

        tracker.Update(T0.AddSeconds(10), [Car(60)]); // IoU 0.54 with the parked box, but not where it stands

        Assert.Equal(0, parked.Box.X1);
        Assert.False(parked.SeenInLastFrame);
        Assert.Equal(2, tracker.Tracks.Count);
    }

    [Fact]
    public void Empty_or_broken_boxes_start_no_tracks()
    {
        var tracker = new Tracker();

        var update = tracker.Update(T0, [new VehicleDetection(new Box(10, 10, 10, 50), 0.9f, "car"), new VehicleDetection(new Box(float.NaN, 0, 5, 5), 0.9f, "car")]);

        Assert.Empty(update.Active);
    }
}
