namespace OneThing.Edge.Domain.Audit;

/// <summary>
/// Payload of a <see cref="AuditKinds.RetentionPurge"/> entry for cases, written before the files are deleted. The verifier
/// accepts an evidence file missing when a later entry of this kind lists it.
/// </summary>
public sealed record RetentionPurgePayload(string Reason, DateTimeOffset OlderThan, IReadOnlyList<Guid> CaseIds, IReadOnlyList<string> Files);

/// <summary>
/// Payload of a <see cref="AuditKinds.RetentionPurge"/> entry for officer reports, written before their files are
/// deleted: the reports, the rejected payloads (by row id) and every file removed (<c>files</c>, which the verifier
/// reads, as for purged cases).
/// </summary>
public sealed record ReportPurgePayload(string Reason, DateTimeOffset OlderThan, IReadOnlyList<string> ReportIds, IReadOnlyList<long> Rejections, IReadOnlyList<string> Files);
