using System.Text.RegularExpressions;

namespace OneThing.TrafficSystem.Simulator;

/// <summary>Checks an intake against the contract; errors are keyed by the JSON field (or header) they concern.</summary>
public static partial class IntakeValidation
{
    private static readonly string[] Sources = ["camera", "pda"];
    private static readonly string[] EvidenceKinds = ["overview", "confirmation", "plate", "pda-photo"];
    public static readonly string[] ClearanceOutcomes = ["left-after-notice", "escalated", "ticketed"];

    public static Dictionary<string, string[]> Validate(ViolationIntake? intake, string? idempotencyKey)
    {
        var errors = new Dictionary<string, string[]>();
        void Fail(string field, string message) => errors[field] = [message];

        if (intake is null)
        {
            Fail("body", "A JSON body is required.");
            return errors;
        }
        if (intake.ViolationId is not { } id || id == Guid.Empty)
        {
            Fail("violationId", "violationId is required.");
        }
        if (string.IsNullOrWhiteSpace(idempotencyKey))
        {
            Fail("Idempotency-Key", "The Idempotency-Key header is required.");
        }
        else if (intake.ViolationId is { } vid && (!Guid.TryParse(idempotencyKey, out var key) || key != vid))
        {
            Fail("Idempotency-Key", "The Idempotency-Key header must equal violationId.");
        }
        if (string.IsNullOrWhiteSpace(intake.SiteId))
        {
            Fail("siteId", "siteId is required.");
        }
        if (string.IsNullOrWhiteSpace(intake.LaneId))
        {
            Fail("laneId", "laneId is required.");
        }
        if (intake.Source is null || !Sources.Contains(intake.Source))
        {
            Fail("source", "source must be camera or pda.");
        }
        else if (intake.Source == "camera" && string.IsNullOrWhiteSpace(intake.CameraId))
        {
            Fail("cameraId", "cameraId is required for a camera case.");
        }
        else if (intake.Source == "pda" && string.IsNullOrWhiteSpace(intake.OfficerId))
        {
            Fail("officerId", "officerId is required for a PDA case.");
        }
        if (intake.Plate is not null && !PlatePattern().IsMatch(intake.Plate))
        {
            Fail("plate", "plate is not a plate number (5 to 9 letters, digits or CJK characters).");
        }
        if (intake.PlateConfidence is not (>= 0 and <= 1))
        {
            Fail("plateConfidence", "plateConfidence must be between 0 and 1.");
        }
        if (intake.FirstSeenAt is null)
        {
            Fail("firstSeenAt", "firstSeenAt is required.");
        }
        if (intake.ConfirmedAt is null)
        {
            Fail("confirmedAt", "confirmedAt is required.");
        }
        else if (intake.FirstSeenAt > intake.ConfirmedAt)
        {
            Fail("confirmedAt", "confirmedAt must not be before firstSeenAt.");
        }
        var evidence = intake.Evidence ?? [];
        for (var i = 0; i < evidence.Count; i++)
        {
            var item = evidence[i];
            if (item.Kind is null || !EvidenceKinds.Contains(item.Kind))
            {
                Fail($"evidence[{i}].kind", "kind must be overview, confirmation, plate or pda-photo.");
            }
            if (item.Sha256 is null || !IsSha256(item.Sha256))
            {
                Fail($"evidence[{i}].sha256", "sha256 must be 64 lower-case hex digits.");
            }
            if (item.CapturedAt is null)
            {
                Fail($"evidence[{i}].capturedAt", "capturedAt is required.");
            }
            if (string.IsNullOrWhiteSpace(item.ContentType))
            {
                Fail($"evidence[{i}].contentType", "contentType is required.");
            }
        }
        return errors;
    }

    public static bool IsSha256(string text) => Sha256Pattern().IsMatch(text);

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex Sha256Pattern();

    [GeneratedRegex(@"^[\p{L}\p{N}]{5,9}$")]
    private static partial Regex PlatePattern();
}
