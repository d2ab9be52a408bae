using Microsoft.Extensions.Options;
using OneThing.Edge.Domain.Configuration;
using OneThing.Edge.Messaging;

namespace OneThing.Edge.Host.Configuration;

/// <summary>Checks the site, its cameras and lanes at start; every message names the configuration key to fix.</summary>
public sealed class SiteOptionsValidation : IValidateOptions<SiteOptions>
{
    public ValidateOptionsResult Validate(string? name, SiteOptions options)
    {
        var errors = new List<string>();
        if (!TopicContract.IsId(options.SiteId))
        {
            errors.Add($"OneThing:SiteId '{options.SiteId}' must be 1-128 letters, digits, '-', '_' or '.'");
        }
        if (string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            errors.Add("OneThing:DataDirectory is required");
        }
        var laneIds = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Cameras.Count; i++)
        {
            var camera = options.Cameras[i];
            var key = $"OneThing:Cameras:{i}";
            if (!TopicContract.IsId(camera.Id))
            {
                errors.Add($"{key}:Id '{camera.Id}' must be 1-128 letters, digits, '-', '_' or '.'");
            }
            if (options.Cameras.Take(i).Any(c => c.Id == camera.Id))
            {
                errors.Add($"{key}:Id '{camera.Id}' is used by another camera");
            }
            for (var j = 0; j < camera.Lanes.Count; j++)
            {
                ValidateLane(camera.Lanes[j], $"{key}:Lanes:{j}", laneIds, errors);
            }
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void ValidateLane(LaneOptions lane, string key, HashSet<string> laneIds, List<string> errors)
    {
        if (!TopicContract.IsId(lane.Id))
        {
            errors.Add($"{key}:Id '{lane.Id}' must be 1-128 letters, digits, '-', '_' or '.'");
        }
        else if (!laneIds.Add(lane.Id))
        {
            errors.Add($"{key}:Id '{lane.Id}' is used by another lane");
        }
        if (lane.Polygon.Count < 3)
        {
            errors.Add($"{key}:Polygon needs at least 3 points, has {lane.Polygon.Count}");
        }
        for (var p = 0; p < lane.Polygon.Count; p++)
        {
            if (lane.Polygon[p] is not [var x, var y] || x is < 0 or > 1 || y is < 0 or > 1)
            {
                errors.Add($"{key}:Polygon:{p} must be [x, y] with both in 0..1 (normalised to the frame)");
            }
        }
        if (lane.StopSeconds is <= 0 or > 86400)
        {
            errors.Add($"{key}:StopSeconds must be in (0, 86400], is {lane.StopSeconds}");
        }
        if (lane.ConfirmSeconds is < 10 or > 86400)
        {
            errors.Add($"{key}:ConfirmSeconds must be in [10, 86400] (evidence frames are at least 10 s apart), is {lane.ConfirmSeconds}");
        }
        if (lane.CooldownMinutes is < 0 or > 7 * 24 * 60)
        {
            errors.Add($"{key}:CooldownMinutes must be in [0, 10080], is {lane.CooldownMinutes}");
        }
        if (lane.MinOverlap is < 0 or > 1)
        {
            errors.Add($"{key}:MinOverlap must be in [0, 1], is {lane.MinOverlap}");
        }
    }
}
