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

/// <summary>One evidence file, stored under its SHA-256 (lower-case hex).</summary>
public sealed record EvidenceItem(string Kind, string Sha256, DateTimeOffset CapturedAt, string ContentType);

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
