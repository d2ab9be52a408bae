using System.Globalization;
using System.Numerics;
using Microsoft.Extensions.Options;
using OneThing.Edge.Domain.Engine;
using OneThing.Edge.Domain.Lanes;

namespace OneThing.Edge.Host.Configuration;

/// <summary>Checks the engine and tracker settings at start; every message names the configuration key to fix.</summary>
public sealed class EngineOptionsValidation : IValidateOptions<ViolationEngineOptions>
{
    private const string Engine = EngineOptionsSetup.Section;
    private const string Tracker = Engine + ":Tracker";

    public ValidateOptionsResult Validate(string? name, ViolationEngineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        var t = options.Tracker;
        if (t is null)
        {
            errors.Add($"{Tracker} must be a section");
        }
        else
        {
            // An IoU of 0 would let any box continue any track, or any stop in the lane resume an open case.
            Overlap(errors, $"{Tracker}:IouThreshold", t.IouThreshold);
            Share(errors, $"{Tracker}:HighScore", t.HighScore);
            Share(errors, $"{Tracker}:LowScore", t.LowScore);
            if (t.HighScore is >= 0 and <= 1 && t.LowScore is >= 0 and <= 1 && t.LowScore > t.HighScore)
            {
                errors.Add(Invariant($"{Tracker}:LowScore must not exceed {Tracker}:HighScore (got {t.LowScore} > {t.HighScore})"));
            }
            Seconds(errors, $"{Tracker}:MaxMissSeconds", t.MaxMissSeconds, zeroAllowed: false);
            Overlap(errors, $"{Tracker}:StationaryTolerance", t.StationaryTolerance);
            Seconds(errors, $"{Tracker}:StationaryLockSeconds", t.StationaryLockSeconds, zeroAllowed: true);
        }

        Seconds(errors, $"{Engine}:MinEvidenceGapSeconds", options.MinEvidenceGapSeconds, zeroAllowed: true);
        Seconds(errors, $"{Engine}:PlateRequestIntervalSeconds", options.PlateRequestIntervalSeconds, zeroAllowed: false);
        Seconds(errors, $"{Engine}:PlateCheckLeadSeconds", options.PlateCheckLeadSeconds, zeroAllowed: true);
        Share(errors, $"{Engine}:MinPlateReadingConfidence", options.MinPlateReadingConfidence);
        Overlap(errors, $"{Engine}:ReidentifyIoU", options.ReidentifyIoU);
        var agreeing = Count(errors, $"{Engine}:PlateReadingsAgreeing", options.PlateReadingsAgreeing);
        var wanted = Count(errors, $"{Engine}:PlateReadingsWanted", options.PlateReadingsWanted);
        var requests = Count(errors, $"{Engine}:MaxPlateRequests", options.MaxPlateRequests);
        // Agreement that needs more readings than are wanted, or wanted readings beyond the requests, never happens.
        if (agreeing && wanted && options.PlateReadingsAgreeing > options.PlateReadingsWanted)
        {
            errors.Add($"{Engine}:PlateReadingsAgreeing must not exceed {Engine}:PlateReadingsWanted (got {options.PlateReadingsAgreeing} > {options.PlateReadingsWanted})");
        }
        if (wanted && requests && options.PlateReadingsWanted > options.MaxPlateRequests)
        {
            errors.Add($"{Engine}:PlateReadingsWanted must not exceed {Engine}:MaxPlateRequests (got {options.PlateReadingsWanted} > {options.MaxPlateRequests})");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>Generic so the float scores are shown as configured (1.2, not 1.2000000476837158).</summary>
    private static void Share<T>(List<string> errors, string key, T value) where T : INumber<T>
    {
        if (!(value >= T.Zero && value <= T.One))
        {
            errors.Add(Invariant($"{key} must be between 0 and 1 (got {value})"));
        }
    }

    private static void Overlap(List<string> errors, string key, double value)
    {
        if (!(value is > 0 and <= 1))
        {
            errors.Add(Invariant($"{key} must be above 0 and at most 1 (got {value})"));
        }
    }

    /// <summary>Up to a day, as for lanes: more is a unit mistake (minutes typed as seconds).</summary>
    private static void Seconds(List<string> errors, string key, double value, bool zeroAllowed)
    {
        var low = zeroAllowed ? value >= 0 : value > 0;
        if (!(low && value <= LaneDefinition.MaxSeconds))
        {
            var range = zeroAllowed ? "between 0 and" : "above 0 and at most";
            errors.Add(Invariant($"{key} must be {range} {LaneDefinition.MaxSeconds} seconds (got {value})"));
        }
    }

    private static bool Count(List<string> errors, string key, int value)
    {
        if (value < 1)
        {
            errors.Add($"{key} must be at least 1 (got {value})");
            return false;
        }
        return true;
    }

    private static string Invariant(FormattableString message) => message.ToString(CultureInfo.InvariantCulture);
}
