namespace OneThing.Edge.Messaging.Contracts;

/// <summary>An escalation task on `{prefix}/{site}/pda/{device}/tasks`: go to the car, ticket it, answer with <see cref="TaskId"/>.</summary>
public sealed record OfficerTask(
    string TaskId,
    Guid ViolationId,
    string LaneId,
    string? Plate,
    TaskLocation Location,
    IReadOnlyList<TaskEvidence> Evidence,
    string Reason,
    DateTimeOffset DueBy)
{
    private const string Prefix = "task-";

    /// <summary>A case has one task id, so a PDA's answer names the case it closes.</summary>
    public static string IdOf(Guid violationId) => Prefix + violationId;

    /// <summary>The case a report's `taskId` answers, or null when it names none.</summary>
    public static Guid? ViolationOf(string? taskId) =>
        taskId is not null && taskId.StartsWith(Prefix, StringComparison.Ordinal) && Guid.TryParse(taskId[Prefix.Length..], out var id) ? id : null;
}

public sealed record TaskLocation(string Site, string? CameraId, string LaneId);

/// <summary>An evidence file of the case; the PDA fetches it by <see cref="Sha256"/>.</summary>
public sealed record TaskEvidence(string Kind, string Sha256, DateTimeOffset CapturedAt);
