using OneThing.Edge.Domain.Geometry;

namespace OneThing.Edge.Domain.Engine;

/// <summary>A confirmed case the engine still follows: until departure, then through the cooldown for its plate.</summary>
public sealed class ParkingCase
{
    internal ParkingCase(Guid id, string laneId, string? plate, Box box, DateTimeOffset confirmedAt, TimeSpan cooldown)
    {
        Id = id;
        LaneId = laneId;
        Plate = plate;
        Box = box;
        ConfirmedAt = confirmedAt;
        LastSeenInPlaceAt = confirmedAt;
        Cooldown = cooldown;
    }

    public Guid Id { get; }
    public string LaneId { get; }
    public string? Plate { get; }
    public Box Box { get; internal set; }
    public DateTimeOffset ConfirmedAt { get; }
    public DateTimeOffset LastSeenInPlaceAt { get; internal set; }

    /// <summary>The lane's cooldown when last seen, kept so a lane removed by a reload still protects its plates.</summary>
    public TimeSpan Cooldown { get; internal set; }

    public bool Departed { get; internal set; }

    /// <summary>Restored from storage and not yet given a frame: its last sighting is unknown until then.</summary>
    internal bool AwaitingFirstFrame { get; set; }

    /// <summary>No new case for this plate in this lane before this time (open-ended until the vehicle departs).</summary>
    public DateTimeOffset CooldownEndsAt => Departed ? LastSeenInPlaceAt + Cooldown : DateTimeOffset.MaxValue;
}
