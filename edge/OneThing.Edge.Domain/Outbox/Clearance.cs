namespace OneThing.Edge.Domain.Outbox;

/// <summary>Clearance outcomes as the traffic-system contract names them.</summary>
public static class ClearanceOutcomes
{
    public const string LeftAfterNotice = "left-after-notice";
    public const string Escalated = "escalated";
    public const string Ticketed = "ticketed";
}

/// <summary>How a case ended on site; forwarded after the case and its evidence.</summary>
public sealed record Clearance(DateTimeOffset ClearedAt, string Outcome);
