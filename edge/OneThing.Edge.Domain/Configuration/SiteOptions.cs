using OneThing.Edge.Domain.Geometry;
using OneThing.Edge.Domain.Lanes;

namespace OneThing.Edge.Domain.Configuration;

/// <summary>The `OneThing` configuration section: one site (compound) per gateway, its cameras and their fire lanes.</summary>
public sealed class SiteOptions
{
    public const string Section = "OneThing";

    public string SiteId { get; set; } = "";

    /// <summary>The compound's name as evidence captions show it (e.g. 阳光花园); <see cref="SiteId"/> when not set.</summary>
    public string? SiteName { get; set; }
    public string DataDirectory { get; set; } = "data";
    public List<CameraOptions> Cameras { get; set; } = [];

    public IEnumerable<string> LaneIds => Cameras.SelectMany(c => c.Lanes).Select(l => l.Id);

    /// <summary>Where a lane is, for people: site name and lane name (ids when no names are set).</summary>
    public string Place(string cameraId, string laneId)
    {
        var lane = Cameras.FirstOrDefault(c => c.Id == cameraId)?.Lanes.FirstOrDefault(l => l.Id == laneId);
        return $"{(string.IsNullOrWhiteSpace(SiteName) ? SiteId : SiteName)} {(string.IsNullOrWhiteSpace(lane?.Name) ? laneId : lane.Name)}";
    }
}

public sealed class CameraOptions
{
    public string Id { get; set; } = "";
    public List<LaneOptions> Lanes { get; set; } = [];
}

/// <summary>A fire lane as an operator configures it: a polygon in normalised 0..1 frame coordinates and its timings.</summary>
public sealed class LaneOptions
{
    public string Id { get; set; } = "";
    public string? Name { get; set; }

    /// <summary>Points as [x, y] pairs, normalised to 0..1 of the frame width and height.</summary>
    public List<float[]> Polygon { get; set; } = [];

    /// <summary>How long a vehicle must stand still before it counts as stopped (stage 1).</summary>
    public double StopSeconds { get; set; } = 30;

    /// <summary>How long after stopping the violation is confirmed (stage 2).</summary>
    public double ConfirmSeconds { get; set; } = 120;

    /// <summary>No second case for the same plate in this lane within this time.</summary>
    public double CooldownMinutes { get; set; } = 60;

    /// <summary>Minimum share of the vehicle box inside the lane polygon.</summary>
    public double MinOverlap { get; set; } = 0.2;

    /// <summary>The lane as the engine uses it; a point that is not an [x, y] pair becomes (NaN, NaN), which is invalid.</summary>
    public LaneDefinition ToDefinition() =>
        new(Id, Polygon.Select(p => p is [var x, var y] ? new PointF(x, y) : new PointF(float.NaN, float.NaN)).ToList(), StopSeconds, ConfirmSeconds, CooldownMinutes, MinOverlap);
}
