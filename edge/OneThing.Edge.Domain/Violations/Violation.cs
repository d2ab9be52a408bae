namespace OneThing.Edge.Domain.Violations;

public enum ViolationSource { Camera, Pda }

/// <summary>Evidence kinds as the traffic-system contract names them.</summary>
public static class EvidenceKinds
{
    public const string Overview = "overview";
    public const string Confirmation = "confirmation";
    public const string Plate = "plate";
    public const string PdaPhoto = "pda-photo";
}

/// <summary>
/// One evidence file, stored under its SHA-256 (lower-case hex). <see cref="RedactedSha256"/> names the copy with
/// people and other cars' plates pixelated: that copy is what the traffic system gets; the original stays on the
/// gateway. Null when the file is shared as taken (an officer's photo).
/// </summary>
public sealed record EvidenceItem(string Kind, string Sha256, DateTimeOffset CapturedAt, string ContentType, string? RedactedSha256 = null)
{
    /// <summary>The file that leaves the site: declared in the case and uploaded.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string SharedSha256 => RedactedSha256 ?? Sha256;
}

/// <summary>
/// A confirmed violation: one parked car in one fire lane. <see cref="Id"/> is created at confirmation and is the
/// idempotency key on every call to the traffic system. A null <see cref="Plate"/> means the plate stayed
/// unreadable: the case goes to officers instead of an SMS.
/// </summary>
public sealed record Violation(
    Guid Id,
    string SiteId,
    string LaneId,
    ViolationSource Source,
    string? CameraId,
    string? DeviceId,
    string? OfficerId,
    string? Plate,
    double PlateConfidence,
    DateTimeOffset FirstSeenAt,
    DateTimeOffset ConfirmedAt,
    IReadOnlyList<EvidenceItem> Evidence);
