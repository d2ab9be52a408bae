using System.Text.Json;
using OneThing.Edge.Domain.Plates;
using OneThing.Edge.Domain.Reports;

namespace OneThing.Edge.Messaging.Pda;

/// <summary>Stable rejection codes a PDA can act on (the human message says the detail).</summary>
public static class RejectionCodes
{
    public const string TooLarge = "too-large";
    public const string InvalidJson = "invalid-json";
    public const string MissingField = "missing-field";
    public const string InvalidField = "invalid-field";
    public const string BadReportId = "bad-report-id";
    public const string BadTime = "bad-time";
    public const string BadPlate = "bad-plate";
    public const string UnknownLane = "unknown-lane";
    public const string TooManyPhotos = "too-many-photos";
    public const string PhotoNotImage = "photo-not-image";
    public const string PhotoTooLarge = "photo-too-large";

    /// <summary>A task answer from a device the task was not sent to, for a case no longer escalated, or with another plate.</summary>
    public const string NotYourTask = "not-your-task";

    public static IReadOnlyList<string> All { get; } =
        [TooLarge, InvalidJson, MissingField, InvalidField, BadReportId, BadTime, BadPlate, UnknownLane, TooManyPhotos, PhotoNotImage, PhotoTooLarge, NotYourTask];
}

/// <summary>A report that failed validation: the code, a message for the officer, and the report id if it could be read.</summary>
public sealed class PdaReportRejectedException(string? reportId, string code, string message) : Exception(message)
{
    public string? ReportId { get; } = reportId;
    public string Code { get; } = code;
}

/// <summary>
/// Turns a PDA payload into a <see cref="PdaReport"/> or a rejection with a stable code. Never throws anything else:
/// a malformed message must not stop the gateway.
/// </summary>
public sealed class PdaReportParser(MqttOptions limits, Func<IReadOnlySet<string>> knownLanes, IImageProbe imageProbe, TimeProvider time)
{
    private static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(5);
    private static readonly HashSet<string> ImageTypes = ["image/jpeg", "image/png"];

    public PdaReport Parse(string deviceId, ReadOnlySpan<byte> payload)
    {
        if (payload.Length > limits.MaxReportBytes)
        {
            throw new PdaReportRejectedException(null, RejectionCodes.TooLarge, $"report is {payload.Length} bytes; the limit is {limits.MaxReportBytes}");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(payload.ToArray(), new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            throw new PdaReportRejectedException(null, RejectionCodes.InvalidJson, $"report is not valid JSON: {e.Message}");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new PdaReportRejectedException(null, RejectionCodes.InvalidJson, "report must be a JSON object");
            }

            var reportId = RequiredString(root, "reportId", null);
            if (!Guid.TryParse(reportId, out _))
            {
                throw new PdaReportRejectedException(null, RejectionCodes.BadReportId, $"reportId '{Truncate(reportId)}' is not a UUID");
            }

            var officerId = RequiredString(root, "officerId", reportId);
            var plate = PlateFormat.Normalize(RequiredString(root, "plate", reportId));
            if (!PlateFormat.IsValid(plate))
            {
                throw new PdaReportRejectedException(reportId, RejectionCodes.BadPlate, $"plate '{Truncate(plate)}' is not a valid plate number");
            }

            var observedAt = ParseTime(root, reportId);
            var laneId = OptionalString(root, "laneId", reportId);
            var location = ParseLocation(root, reportId);
            if (laneId is null && location is null)
            {
                throw new PdaReportRejectedException(reportId, RejectionCodes.MissingField, "laneId or location is required");
            }
            if (laneId is not null && !knownLanes().Contains(laneId))
            {
                throw new PdaReportRejectedException(reportId, RejectionCodes.UnknownLane, $"lane '{Truncate(laneId)}' is not a fire lane of this site");
            }

            return new PdaReport(
                reportId.ToLowerInvariant(), deviceId, officerId, plate, laneId, location, observedAt,
                OptionalString(root, "taskId", reportId), OptionalString(root, "note", reportId),
                ParsePhotos(root, reportId), time.GetUtcNow());
        }
    }

    private DateTimeOffset ParseTime(JsonElement root, string reportId)
    {
        var text = RequiredString(root, "observedAt", reportId);
        if (!DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var observedAt))
        {
            throw new PdaReportRejectedException(reportId, RejectionCodes.BadTime, $"observedAt '{Truncate(text)}' is not an RFC 3339 time");
        }
        if (observedAt - time.GetUtcNow() > MaxClockSkew)
        {
            throw new PdaReportRejectedException(reportId, RejectionCodes.BadTime, $"observedAt {observedAt:O} is in the future; check the PDA's clock");
        }
        return observedAt.ToUniversalTime();
    }

    private static ReportLocation? ParseLocation(JsonElement root, string reportId)
    {
        if (!root.TryGetProperty("location", out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new PdaReportRejectedException(reportId, RejectionCodes.InvalidField, "location must be an object {lat, lon, text}");
        }
        var lat = OptionalNumber(element, "lat", reportId);
        var lon = OptionalNumber(element, "lon", reportId);
        var text = OptionalString(element, "text", reportId);
        if (lat is < -90 or > 90 || lon is < -180 or > 180 || (lat is null) != (lon is null))
        {
            throw new PdaReportRejectedException(reportId, RejectionCodes.InvalidField, "location needs both lat (-90..90) and lon (-180..180)");
        }
        return lat is null && text is null ? null : new ReportLocation(lat, lon, text);
    }

    private List<PdaPhoto> ParsePhotos(JsonElement root, string reportId)
    {
        if (!root.TryGetProperty("photos", out var photos) || photos.ValueKind == JsonValueKind.Null)
        {
            throw new PdaReportRejectedException(reportId, RejectionCodes.MissingField, "photos is required (at least one photo)");
        }
        if (photos.ValueKind != JsonValueKind.Array)
        {
            throw new PdaReportRejectedException(reportId, RejectionCodes.InvalidField, "photos must be an array");
        }
        var count = photos.GetArrayLength();
        if (count == 0)
        {
            throw new PdaReportRejectedException(reportId, RejectionCodes.MissingField, "photos is empty; at least one photo is required");
        }
        if (count > limits.MaxPhotos)
        {
            throw new PdaReportRejectedException(reportId, RejectionCodes.TooManyPhotos, $"{count} photos; at most {limits.MaxPhotos} are accepted");
        }

        var result = new List<PdaPhoto>(count);
        var index = 0;
        foreach (var photo in photos.EnumerateArray())
        {
            if (photo.ValueKind != JsonValueKind.Object)
            {
                throw new PdaReportRejectedException(reportId, RejectionCodes.InvalidField, $"photos[{index}] must be an object {{contentType, data}}");
            }
            var contentType = RequiredString(photo, "contentType", reportId, $"photos[{index}].contentType").ToLowerInvariant();
            if (!ImageTypes.Contains(contentType))
            {
                throw new PdaReportRejectedException(reportId, RejectionCodes.PhotoNotImage, $"photos[{index}] has content type '{Truncate(contentType)}'; image/jpeg or image/png expected");
            }
            byte[] data;
            try
            {
                data = Convert.FromBase64String(RequiredString(photo, "data", reportId, $"photos[{index}].data"));
            }
            catch (FormatException)
            {
                throw new PdaReportRejectedException(reportId, RejectionCodes.PhotoNotImage, $"photos[{index}].data is not base64");
            }
            if (imageProbe.Problem(data, limits.MaxPhotoSide) is { } problem)
            {
                var code = problem.Contains("px", StringComparison.Ordinal) ? RejectionCodes.PhotoTooLarge : RejectionCodes.PhotoNotImage;
                throw new PdaReportRejectedException(reportId, code, $"photos[{index}]: {problem}");
            }
            result.Add(new PdaPhoto(contentType, data));
            index++;
        }
        return result;
    }

    private static string RequiredString(JsonElement obj, string name, string? reportId, string? path = null) =>
        OptionalString(obj, name, reportId, path) ?? throw new PdaReportRejectedException(reportId, RejectionCodes.MissingField, $"{path ?? name} is required");

    private static string? OptionalString(JsonElement obj, string name, string? reportId, string? path = null)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (value.ValueKind != JsonValueKind.String)
        {
            throw new PdaReportRejectedException(reportId, RejectionCodes.InvalidField, $"{path ?? name} must be a string");
        }
        string text;
        try
        {
            text = value.GetString()!.Trim();
        }
        catch (InvalidOperationException)
        {
            // JsonDocument validates string contents lazily: invalid UTF-8 inside quotes surfaces only here (found by fuzzing).
            throw new PdaReportRejectedException(reportId, RejectionCodes.InvalidField, $"{path ?? name} is not valid UTF-8");
        }
        return text.Length == 0 ? null : text;
    }

    private static double? OptionalNumber(JsonElement obj, string name, string reportId)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        return value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number) && double.IsFinite(number)
            ? number
            : throw new PdaReportRejectedException(reportId, RejectionCodes.InvalidField, $"location.{name} must be a number");
    }

    private static string Truncate(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
