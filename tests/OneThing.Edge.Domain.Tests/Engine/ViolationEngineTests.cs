using OneThing.Edge.Domain.Dwell;
using OneThing.Edge.Domain.Geometry;
using OneThing.Edge.Domain.Lanes;
using Xunit;

namespace OneThing.Edge.Domain.Tests.Engine;

public partial class ViolationEngineTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);
    private static TimeSpan Seconds(double s) => TimeSpan.FromSeconds(s);
    private static TimeSpan Minutes(double m) => TimeSpan.FromMinutes(m);

    private static readonly Car Parked = new(Street.ParkedBox, "京A12345");

    [Fact]
    public void Drop_off_of_60_seconds_is_dismissed_and_counted_never_a_case()
    {
        var street = new Street();

        street.Run(Seconds(60), Parked);
        street.Empty(Minutes(2));

        Assert.Empty(street.Of<ViolationConfirmed>());
        var dismissed = Assert.Single(street.Of<StopDismissed>());
        Assert.Equal("lane-1", dismissed.LaneId);
        Assert.InRange(dismissed.Duration, Seconds(55), Seconds(60));
        Assert.Equal(1, street.Engine.Counters.StopsDismissed);
        Assert.Equal(0, street.Engine.Counters.CasesConfirmed);
    }

    [Fact]
    public void Parked_10_minutes_is_exactly_one_case_with_two_evidence_frames_at_least_10_seconds_apart()
    {
        var street = new Street();
        var start = street.Clock.GetUtcNow();

        street.Run(Minutes(10), Parked);

        var confirmed = Assert.Single(street.Of<ViolationConfirmed>());
        Assert.Equal("京A12345", confirmed.Plate);
        Assert.False(confirmed.PlateUnreadable);
        Assert.Equal(start, confirmed.FirstSeenAt);
        Assert.Equal(start + Seconds(10 + 120), confirmed.ConfirmedAt);

        var evidence = street.Of<EvidenceNeeded>().ToList();
        Assert.Equal([1, 2], evidence.Select(e => e.Stage));
        Assert.All(evidence, e => Assert.Equal(confirmed.TrackId, e.TrackId));
        Assert.True(evidence[1].At - evidence[0].At >= Seconds(10));
        Assert.Equal(confirmed.CaseId, evidence[1].CaseId);
        Assert.Empty(street.Of<StopDismissed>());
        Assert.Empty(street.Of<VehicleDeparted>());

        var violation = confirmed.ToViolation("site-1", "cam-1", []);
        Assert.Equal((confirmed.CaseId, "lane-1", "京A12345", "cam-1"), (violation.Id, violation.LaneId, violation.Plate, violation.CameraId));
    }

    [Fact]
    public void Evidence_frames_stay_10_seconds_apart_even_when_the_lane_confirms_sooner()
    {
        var street = new Street(stopSeconds: 5, confirmSeconds: 3);

        street.Run(Minutes(1), Parked);

        var evidence = street.Of<EvidenceNeeded>().ToList();
        Assert.Equal(2, evidence.Count);
        Assert.Equal(Seconds(10), evidence[1].At - evidence[0].At);
        Assert.Single(street.Of<ViolationConfirmed>());
    }

    [Fact]
    public void A_car_taking_the_spot_of_a_van_missed_by_the_detector_gets_its_own_stop_and_evidence()
    {
        var street = new Street();
        street.Run(Seconds(60), new Car(Street.ParkedBox, "京V11111"));     // a delivery van, plates read at its stop
        street.Empty(Seconds(10));                                           // it leaves; its track lives on (inertia)
        var carArrives = street.Clock.GetUtcNow();
        street.Run(Minutes(10), new Car(new Box(405, 602, 805, 898), "京A12345"));

        var confirmed = Assert.Single(street.Of<ViolationConfirmed>());
        Assert.Equal("京A12345", confirmed.Plate);
        Assert.True(confirmed.FirstSeenAt >= carArrives);
        var stage1 = street.Of<EvidenceNeeded>().Last(e => e.Stage == 1);
        Assert.True(stage1.At >= carArrives, "the first evidence frame must show the car, not the van");
        Assert.True(confirmed.ConfirmedAt - stage1.At >= Seconds(10));
        Assert.Equal(1, street.Engine.Counters.StopsDismissed);
    }

    [Fact]
    public void Detector_misses_for_20_seconds_before_and_after_confirmation_leave_one_case()
    {
        var street = new Street();

        street.Run(Seconds(100), Parked);
        street.Empty(Seconds(20));           // misses across the confirmation time
        street.Run(Minutes(2), Parked);
        street.Run(Seconds(20), _ => [new Car(new Box(1100, 100, 1500, 400), "京B99999")]); // misses while a car outside the lane is seen
        street.Run(Minutes(5), Parked);

        Assert.Single(street.Of<ViolationConfirmed>(), c => c.Plate == "京A12345");
        Assert.Empty(street.Of<VehicleDeparted>());
        Assert.Empty(street.Of<StopDismissed>());
    }

    [Fact]
    public void A_night_stretch_of_empty_frames_and_weak_detections_leaves_one_case()
    {
        var street = new Street();

        street.Run(Minutes(5), Parked);
        street.Empty(Seconds(25));                                               // frames with no detections at all
        street.Run(Minutes(30), new Car(Street.ParkedBox, null, Score: 0.2f));   // only weak detections at night
        street.Empty(Seconds(25));
        street.Run(Minutes(5), Parked);

        Assert.Single(street.Of<ViolationConfirmed>());
        Assert.Empty(street.Of<VehicleDeparted>());
        Assert.Equal(1, street.Engine.Counters.OpenCases);
    }

    [Fact]
    public void A_passing_car_that_hides_the_parked_one_does_not_make_a_second_case()
    {
        var street = new Street();
        street.Run(Minutes(3), Parked);

        // A car drives across in front of it at 150 px/s; while it covers most of the parked car that one is not detected.
        street.Run(Seconds(16), t =>
        {
            var x = -400 + 150 * (float)t.TotalSeconds;
            var passing = new Car(new Box(x, 650, x + 420, 980), "京C55555");
            var hidden = Street.ParkedBox.IntersectionArea(passing.Box) / Street.ParkedBox.Area > 0.4;
            return hidden ? [passing] : [Parked, passing];
        });
        street.Run(Minutes(5), Parked);

        var confirmed = Assert.Single(street.Of<ViolationConfirmed>());
        Assert.Equal("京A12345", confirmed.Plate);
        Assert.Empty(street.Of<VehicleDeparted>());
        Assert.Empty(street.Of<StopDismissed>());
        Assert.Empty(street.Of<CaseResumed>()); // the parked track itself held on, nothing had to be re-identified
    }

    [Fact]
    public void Two_parked_cars_are_two_cases()
    {
        var street = new Street();
        var other = new Car(Street.OtherParkedBox, "京B99999");

        street.Run(Minutes(10), Parked, other);

        var cases = street.Of<ViolationConfirmed>().ToList();
        Assert.Equal(2, cases.Count);
        Assert.NotEqual(cases[0].CaseId, cases[1].CaseId);
        Assert.Equal(["京A12345", "京B99999"], cases.Select(c => c.Plate!).Order());
    }

    [Fact]
    public void A_full_lane_of_forty_parked_cars_is_forty_cases_over_an_hour()
    {
        var street = new Street();
        var cars = Enumerable.Range(0, 40)
            .Select(i => new Car(new Box(10 + (i % 10) * 190, 560 + (i / 10) * 130, 180 + (i % 10) * 190, 680 + (i / 10) * 130), $"京A{i:00000}"))
            .ToArray();

        street.Run(TimeSpan.FromHours(1), cars);

        Assert.Equal(40, street.Of<ViolationConfirmed>().Select(c => c.Plate).Distinct().Count());
        Assert.Equal(40, street.Of<ViolationConfirmed>().Count());
        Assert.Equal(40, street.Engine.Counters.OpenCases);
    }

    [Fact]
    public void Same_plate_back_within_the_cooldown_is_no_new_case_and_after_it_is_one()
    {
        var street = new Street(cooldownMinutes: 30);

        street.Run(Minutes(5), Parked);
        street.Empty(Minutes(10));
        street.Run(Minutes(5), Parked);     // back 10 minutes after leaving: within the cooldown
        Assert.Single(street.Of<ViolationConfirmed>());
        var resumed = Assert.Single(street.Of<CaseResumed>());
        Assert.Equal(ResumeReason.Cooldown, resumed.Reason);
        Assert.Equal(street.Of<ViolationConfirmed>().Single().CaseId, resumed.CaseId);

        street.Empty(Minutes(31));
        street.Run(Minutes(5), Parked);     // back after the cooldown: a new violation

        var cases = street.Of<ViolationConfirmed>().ToList();
        Assert.Equal(2, cases.Count);
        Assert.NotEqual(cases[0].CaseId, cases[1].CaseId);
    }

    [Fact]
    public void The_cooldown_is_per_lane_so_the_same_plate_in_another_lane_is_a_new_case()
    {
        var street = new Street();
        var left = Street.LowerHalf("lane-left") with { Polygon = [new PointF(0, 0.5f), new PointF(0.5f, 0.5f), new PointF(0.5f, 1), new PointF(0, 1)] };
        var right = Street.LowerHalf("lane-right") with { Polygon = [new PointF(0.5f, 0.5f), new PointF(1, 0.5f), new PointF(1, 1), new PointF(0.5f, 1)] };
        street.Engine.UpdateLanes([left, right]);

        street.Run(Minutes(5), Parked);
        street.Empty(Minutes(2));
        street.Run(Minutes(5), new Car(Street.OtherParkedBox, "京A12345"));

        Assert.Equal(["lane-left", "lane-right"], street.Of<ViolationConfirmed>().Select(c => c.LaneId));
        Assert.Empty(street.Of<CaseResumed>());
    }

    [Fact]
    public void A_car_crossing_the_lane_without_stopping_produces_nothing()
    {
        var street = new Street();

        street.Run(Seconds(40), t =>
        {
            var x = -400 + 60 * (float)t.TotalSeconds;
            return [new Car(new Box(x, 600, x + 400, 900), "京D00001")];
        });
        street.Empty(Minutes(1));

        Assert.Empty(street.Events);
        Assert.Equal(0, street.Engine.Counters.StopsDismissed);
    }

    [Fact]
    public void A_car_stopping_outside_the_lane_produces_nothing()
    {
        var street = new Street();

        street.Run(Minutes(10), new Car(new Box(400, 100, 800, 400), "京D00002"));

        Assert.Empty(street.Events);
    }

    [Fact]
    public void Cases_get_the_ids_the_options_hand_out()
    {
        var id = Guid.Parse("0a6f2b1e-4c7d-4f51-9c43-1d2e3f405162");
        var engine = new OneThing.Edge.Domain.Engine.ViolationEngine("cam-1", [Street.LowerHalf("lane-1")], new() { NewCaseId = _ => id });
        var at = new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);
        var events = new List<DwellEvent>();
        for (var s = 0; s < 200; s++)
        {
            events.AddRange(engine.Observe(at.AddSeconds(s), Street.Width, Street.Height, [new(Street.ParkedBox, 0.9f, "car")]));
        }

        Assert.Equal(id, Assert.Single(events.OfType<ViolationConfirmed>()).CaseId);
    }
}
