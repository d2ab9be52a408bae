using OneThing.Edge.Domain.Geometry;
using OneThing.Edge.Domain.Lanes;

namespace OneThing.Edge.Domain.Engine;

/// <summary>Which lane a vehicle is in, when lanes overlap.</summary>
internal static class VehicleLane
{
    /// <summary>
    /// Its current lane while that still holds it, so it does not flap between overlapping lanes (each flap would
    /// dismiss the stop); else the lane it overlaps most; null when in none.
    /// </summary>
    public static LaneDefinition? Of(IReadOnlyList<LaneDefinition> lanes, Box box, string? currentLaneId, int frameWidth, int frameHeight)
    {
        if (currentLaneId is not null && lanes.FirstOrDefault(l => l.Id == currentLaneId) is { } current && current.Contains(box, frameWidth, frameHeight))
        {
            return current;
        }
        LaneDefinition? best = null;
        var bestOverlap = -1.0;
        foreach (var lane in lanes)
        {
            if (lane.OverlapIfInside(box, frameWidth, frameHeight) is { } overlap && overlap > bestOverlap)
            {
                best = lane;
                bestOverlap = overlap;
            }
        }
        return best;
    }
}
