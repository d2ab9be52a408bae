namespace OneThing.Edge.Domain.Reports;

/// <summary>Where an officer saw the car when the report names no lane.</summary>
public sealed record ReportLocation(double? Lat, double? Lon, string? Text);

public sealed record PdaPhoto(string ContentType, byte[] Data);

/// <summary>
/// An officer's report from a PDA, validated. <see cref="ReportId"/> is the client's UUID and the idempotency key:
/// the same report sent twice is stored once.
/// </summary>
public sealed record PdaReport(
    string ReportId,
    string DeviceId,
    string OfficerId,
    string Plate,
    string? LaneId,
    ReportLocation? Location,
    DateTimeOffset ObservedAt,
    string? TaskId,
    string? Note,
    IReadOnlyList<PdaPhoto> Photos,
    DateTimeOffset ReceivedAt);

public enum ReceiptStatus { Accepted, Duplicate, Rejected }

/// <summary>What the PDA gets back on its receipts topic for every report, good or bad.</summary>
public sealed record Receipt(string? ReportId, ReceiptStatus Status, string? Code = null, string? Reason = null, Guid? ViolationId = null)
{
    public static Receipt Rejected(string? reportId, string code, string reason) => new(reportId, ReceiptStatus.Rejected, code, reason);
}

/// <summary>Result of committing a report: accepted now, or the earlier commit of the same report id.</summary>
public sealed record PdaSaveResult(bool IsDuplicate, Guid? ViolationId);

/// <summary>Durable storage of officer reports; a report is acknowledged only after <see cref="SaveAsync"/> returns.</summary>
public interface IPdaReportStore
{
    Task<PdaSaveResult> SaveAsync(PdaReport report, CancellationToken cancellationToken);

    /// <summary>Keeps a rejected payload (and why) so nothing an officer sent is lost, even when it was wrong.</summary>
    Task RecordRejectionAsync(string deviceId, string? reportId, string code, string reason, ReadOnlyMemory<byte> payload, DateTimeOffset receivedAt, CancellationToken cancellationToken);
}

/// <summary>Accepted reports go on to case fusion (merge with a camera case, PDA-only case, task answer).</summary>
public interface IPdaReportSink
{
    /// <summary>
    /// Before a new report is stored: why its task answer may not be taken (not sent to this device, case not
    /// escalated, another plate), answered with the receipt code `not-your-task`; null when it may, or names no task.
    /// </summary>
    ValueTask<string?> TaskRefusalAsync(PdaReport report, CancellationToken cancellationToken);

    ValueTask AcceptedAsync(PdaReport report, CancellationToken cancellationToken);
}
