namespace OneThing.Edge.Domain.Outbox;

/// <summary>How a case ended on site; forwarded after the case and its evidence.</summary>
public sealed record Clearance(DateTimeOffset ClearedAt, string Outcome);
