using Microsoft.Extensions.Time.Testing;
using OneThing.Edge.Domain.Detections;
using OneThing.Edge.Domain.Dwell;
using OneThing.Edge.Domain.Engine;
using OneThing.Edge.Domain.Geometry;
using OneThing.Edge.Domain.Lanes;

namespace OneThing.Edge.Domain.Tests.Engine;

/// <summary>A parked car for the scene: where it stands and the plate a reader would see (null: no plate visible).</summary>
public sealed record Car(Box Box, string? Plate, float Score = 0.9f);

/// <summary>
/// One camera over one fire lane (the lower half of a 1920x1080 frame), a capture clock and a plate reader that
/// answers every PlateNeeded with the plate of the car at that box. Records every event.
/// </summary>
public sealed class Street
{
    public const int Width = 1920;
    public const int Height = 1080;

    public static readonly Box ParkedBox = new(400, 600, 800, 900);
    public static readonly Box OtherParkedBox = new(1100, 620, 1500, 920);

    public Street(double stopSeconds = 10, double confirmSeconds = 120, double cooldownMinutes = 30)
    {
        Lane = LowerHalf("lane-1", stopSeconds, confirmSeconds, cooldownMinutes);
        Engine = new ViolationEngine("cam-1", [Lane]);
    }

    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero));
    public LaneDefinition Lane { get; }
    public ViolationEngine Engine { get; }
    public List<DwellEvent> Events { get; } = [];

    public IEnumerable<T> Of<T>() where T : DwellEvent => Events.OfType<T>();

    public static LaneDefinition LowerHalf(string id, double stopSeconds = 10, double confirmSeconds = 120, double cooldownMinutes = 30) =>
        new(id, [new PointF(0, 0.5f), new PointF(1, 0.5f), new PointF(1, 1), new PointF(0, 1)], stopSeconds, confirmSeconds, cooldownMinutes);

    /// <summary>One frame now with these cars, then the clock moves on by <paramref name="step"/>.</summary>
    public void Frame(TimeSpan step, params Car[] cars)
    {
        var detections = cars.Select(c => new VehicleDetection(c.Box, c.Score, "car")).ToList();
        var produced = Engine.Observe(Clock.GetUtcNow(), Width, Height, detections);
        Events.AddRange(produced);
        foreach (var ask in produced.OfType<PlateNeeded>())
        {
            var car = cars.Where(c => c.Box.IoU(ask.Box) > 0.5).OrderByDescending(c => c.Box.IoU(ask.Box)).FirstOrDefault();
            if (car?.Plate is { } plate)
            {
                Engine.AddPlateReading(ask.TrackId, new PlateReading(plate, 0.9f, true, ask.Box, [], 0.9f, false));
            }
        }
        Clock.Advance(step);
    }

    /// <summary>Frames once a second for <paramref name="duration"/>, each with the cars the callback names for its offset.</summary>
    public void Run(TimeSpan duration, Func<TimeSpan, Car[]> cars)
    {
        for (var t = TimeSpan.Zero; t < duration; t += TimeSpan.FromSeconds(1))
        {
            Frame(TimeSpan.FromSeconds(1), cars(t));
        }
    }

    public void Run(TimeSpan duration, params Car[] cars) => Run(duration, _ => cars);

    public void Empty(TimeSpan duration) => Run(duration, _ => []);
}
