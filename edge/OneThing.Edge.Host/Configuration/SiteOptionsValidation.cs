using Microsoft.Extensions.Options;
using OneThing.Edge.Domain.Configuration;
using OneThing.Edge.Domain.Lanes;
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
        var malformed = Enumerable.Range(0, lane.Polygon.Count).Where(p => lane.Polygon[p] is not [_, _]).ToHashSet();
        foreach (var p in malformed)
        {
            errors.Add($"{key}:Polygon:{p} must be an [x, y] pair, both in 0..1 (normalised to the frame)");
        }
        // The lane rules themselves are the Domain's (points, self-crossing, durations); here they get their keys.
        // Ids were checked above, more strictly (topic-safe and unique); a polygon with a point that is not a pair
        // cannot be judged as a shape until that point is fixed.
        foreach (var problem in lane.ToDefinition().Problems())
        {
            if (problem.Field == nameof(LaneDefinition.Id) || (problem.Field == nameof(LaneDefinition.Polygon) && malformed.Count > 0))
            {
                continue;
            }
            var field = problem.Field == nameof(LaneDefinition.MinOverlapRatio) ? nameof(LaneOptions.MinOverlap) : problem.Field;
            errors.Add($"{key}:{field}{(problem.Point is { } point ? $":{point}" : "")} {problem.Message}");
        }
        // Evidence practice, not engine logic: the two evidence frames (stop and confirmation) are at least 10 s apart.
        if (lane.ConfirmSeconds is > 0 and < 10)
        {
            errors.Add($"{key}:ConfirmSeconds must be at least 10 (evidence frames are at least 10 s apart), is {lane.ConfirmSeconds}");
        }
    }
}
