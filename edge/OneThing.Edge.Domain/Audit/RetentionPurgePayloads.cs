namespace OneThing.Edge.Domain.Audit;

/// <summary>
/// Payload of a <see cref="AuditKinds.RetentionPurge"/> entry for officer reports, written before their files are
/// deleted: the reports, the rejected payloads (by row id) and every file removed (<c>files</c>, which the verifier
/// reads, as for purged cases).
/// </summary>
public sealed record ReportPurgePayload(string Reason, DateTimeOffset OlderThan, IReadOnlyList<string> ReportIds, IReadOnlyList<long> Rejections, IReadOnlyList<string> Files);
