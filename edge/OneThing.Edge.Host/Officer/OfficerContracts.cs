namespace OneThing.Edge.Host.Officer;

/// <summary>`OneThing:Officer`: the officer app's settings.</summary>
public sealed class OfficerOptions
{
    public const string Section = "OneThing:Officer";

    /// <summary>
    /// Where the app connects for MQTT over WebSocket (`wss://broker.example/mqtt`, an external broker's websockets
    /// listener); empty: the gateway's own `/mqtt` on the page's origin.
    /// </summary>
    public string? BrokerUrl { get; set; }
}

/// <summary>`GET /officer/config.json`: what the app needs before its login; no secrets.</summary>
public sealed record OfficerAppConfig(string? BrokerUrl, string SiteId, string TopicPrefix, int MaxPhotoSide);

/// <summary>Every error of the officer API: a stable <see cref="Code"/> the app acts on and a sentence for people.</summary>
public sealed record OfficerError(string Code, string Message)
{
    public const string LoginRequired = "login-required";
    public const string BadLogin = "bad-login";
    public const string TooManyFailedLogins = "too-many-failed-logins";
    public const string LoginBusy = "login-busy";
    public const string NotAPda = "not-a-pda";
    public const string UnsupportedMediaType = "unsupported-media-type";
    public const string PhotoTooLarge = "photo-too-large";
    public const string PhotoNotImage = "photo-not-image";
    public const string NotYourTask = "not-your-task";
    public const string NoSuchEvidence = "no-such-evidence";

    public IResult ToResult(int status) => Results.Json(this, statusCode: status);
}

/// <summary>`POST /api/v1/officer/plate-reading`: the plate read from a photo; all null when none was read.</summary>
public sealed record PlateReadingResult(string? Plate, double? Confidence, string? Color);

/// <summary>`GET /api/v1/officer/device`: the PDA the login belongs to (its `Mqtt:Devices` `Id`, used in its topics).</summary>
public sealed record OfficerDevice(string DeviceId);

/// <summary>A lane the officer can pick for a report.</summary>
public sealed record OfficerLane(string LaneId, string CameraId, string Name);
