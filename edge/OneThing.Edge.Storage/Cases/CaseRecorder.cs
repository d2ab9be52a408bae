using Microsoft.Data.Sqlite;
using OneThing.Edge.Domain.Audit;
using OneThing.Edge.Domain.Cases;
using OneThing.Edge.Domain.Evidence;
using OneThing.Edge.Domain.Geometry;
using OneThing.Edge.Domain.Violations;
using OneThing.Edge.Storage.Audit;
using OneThing.Edge.Storage.Violations;

namespace OneThing.Edge.Storage.Cases;

/// <summary>
/// Records a confirmed case the way an enforcement agency can rely on: the evidence files and the manifest are on
/// disk first, then violation, evidence rows, outbox messages and the audit entries commit in ONE transaction.
/// </summary>
public sealed class CaseRecorder(SqliteDatabase database, FileStore files, ViolationStore violations, AuditLog audit, TimeProvider time)
{
    private readonly CaseTransitions _transitions = new(audit, time);

    /// <summary>Stores an evidence file (content-addressed, fsynced) and describes it for the violation and manifest.</summary>
    public Task<EvidenceManifestItem> StoreEvidenceAsync(string kind, ReadOnlyMemory<byte> content, DateTimeOffset capturedAt, string contentType, string? cameraId, string? laneId, Domain.Geometry.Box? box, CancellationToken cancellationToken) =>
        StoreEvidenceAsync(kind, content, null, capturedAt, contentType, cameraId, laneId, box, cancellationToken);

    /// <summary>Stores an evidence file and its redacted copy (the one the traffic system gets), both content-addressed.</summary>
    public async Task<EvidenceManifestItem> StoreEvidenceAsync(string kind, ReadOnlyMemory<byte> original, ReadOnlyMemory<byte>? redacted, DateTimeOffset capturedAt, string contentType, string? cameraId, string? laneId, Domain.Geometry.Box? box, CancellationToken cancellationToken)
    {
        var sha = await files.PutAsync(original, cancellationToken);
        var redactedSha = redacted is { } copy ? await files.PutAsync(copy, cancellationToken) : null;
        return new EvidenceManifestItem(kind, sha, capturedAt, contentType, cameraId, laneId, box, redactedSha);
    }

    /// <summary>
    /// Merges an officer's photos into an existing case: evidence rows, their upload messages, the audit entries and
    /// the merge step commit together. A case in a final state refuses the merge (<see cref="IllegalCaseTransitionException"/>).
    /// </summary>
    public async Task MergeAsync(Guid violationId, IReadOnlyList<EvidenceManifestItem> items, string reportId, CancellationToken cancellationToken)
    {
        await database.InTransactionAsync(async (connection, transaction) =>
        {
            await _transitions.ApplyAsync(connection, transaction, violationId, CaseStep.Merge, $"report {reportId}", refuseIllegal: true, cancellationToken);
            await violations.AddEvidenceAsync(connection, transaction, violationId, items.Select(i => i.ToEvidenceItem()).ToList(), cancellationToken);
            foreach (var item in items)
            {
                await audit.AppendAsync(AuditKinds.EvidenceStored, new EvidenceStoredPayload(violationId, item.Kind, item.Sha256, item.CapturedAt, item.ContentType, item.RedactedSha256), connection, transaction, cancellationToken);
            }
            return items.Count;
        }, cancellationToken);
        violations.SignalDispatcher();
    }

    /// <summary>Open cases (clearance deadlines and engines after a restart), or all cases (replay scoring).</summary>
    public async Task<IReadOnlyList<CaseSummary>> CasesAsync(bool openOnly, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var query = connection.CreateCommand();
        var open = CaseTransitions.BindStates(query, "open", CaseLifecycle.OpenStates);
        query.CommandText = $"SELECT {SummaryColumns} FROM violations" + (openOnly ? $" WHERE state IN ({open})" : "") + " ORDER BY confirmed_at";
        return await SummariesAsync(query, cancellationToken);
    }

    /// <summary>
    /// One camera's cases whose stop (first seen to confirmed) overlaps <paramref name="from"/> to <paramref name="to"/>:
    /// the frames around them are what footage keeps over its budget and exports with labels. Asked on every kept frame
    /// once a camera is over budget, so it reads that camera's window only (index <c>ix_violations_camera_confirmed</c>).
    /// </summary>
    public async Task<IReadOnlyList<CaseSummary>> CameraCasesAsync(string cameraId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var query = connection.CreateCommand();
        query.CommandText = $"SELECT {SummaryColumns} FROM violations WHERE camera_id = $camera AND confirmed_at >= $from AND first_seen_at <= $to ORDER BY confirmed_at";
        query.Parameters.AddWithValue("$camera", cameraId);
        query.Parameters.AddWithValue("$from", SqliteTime.ToText(from));
        query.Parameters.AddWithValue("$to", SqliteTime.ToText(to));
        return await SummariesAsync(query, cancellationToken);
    }

    private const string SummaryColumns = "id, state, lane_id, plate, camera_id, first_seen_at, confirmed_at, place";

    private static async Task<IReadOnlyList<CaseSummary>> SummariesAsync(SqliteCommand query, CancellationToken cancellationToken)
    {
        await using var reader = await query.ExecuteReaderAsync(cancellationToken);
        var cases = new List<CaseSummary>();
        while (await reader.ReadAsync(cancellationToken))
        {
            cases.Add(new CaseSummary(
                Guid.Parse(reader.GetString(0)), CaseLifecycle.Parse(reader.GetString(1)), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4), SqliteTime.Parse(reader.GetString(5)), SqliteTime.Parse(reader.GetString(6)),
                CasePlace.Parse(reader.IsDBNull(7) ? null : reader.GetString(7))));
        }
        return cases;
    }

    /// <returns>false when this violation id was recorded before (a replayed or repeated confirmation): nothing is added.</returns>
    public async Task<bool> RecordAsync(Violation violation, EvidenceManifest manifest, CancellationToken cancellationToken)
    {
        var manifestSha = await files.PutAsync(manifest.ToCanonicalJson(), cancellationToken);
        var recorded = await database.InTransactionAsync(async (connection, transaction) =>
        {
            // The confirmation frame's box is where the car stood when it was cited.
            var place = manifest.Items.FirstOrDefault(i => i.Kind == EvidenceKinds.Confirmation)?.Box ?? manifest.Items.FirstOrDefault(i => i.Box is not null)?.Box;
            if (!await violations.RecordAsync(connection, transaction, violation, place, manifestSha, cancellationToken))
            {
                return false;
            }
            await audit.AppendAsync(AuditKinds.ViolationConfirmed, new
            {
                caseId = violation.Id,
                violation.SiteId,
                violation.LaneId,
                source = violation.Source.ToString().ToLowerInvariant(),
                violation.CameraId,
                violation.DeviceId,
                violation.Plate,
                violation.PlateConfidence,
                violation.FirstSeenAt,
                violation.ConfirmedAt,
                manifestSha256 = manifestSha,
            }, connection, transaction, cancellationToken);
            foreach (var item in manifest.Items)
            {
                await audit.AppendAsync(AuditKinds.EvidenceStored, new EvidenceStoredPayload(violation.Id, item.Kind, item.Sha256, item.CapturedAt, item.ContentType, item.RedactedSha256), connection, transaction, cancellationToken);
            }
            return true;
        }, cancellationToken);
        if (recorded)
        {
            violations.SignalDispatcher();
        }
        return recorded;
    }
}

/// <summary>
/// A stored case in brief: where it stands in the loop, when the car stopped and was confirmed, and for a camera case
/// where the car stood (null for officers' cases and cases recorded before the place was kept).
/// </summary>
public sealed record CaseSummary(
    Guid Id, CaseState State, string LaneId, string? Plate, string? CameraId, DateTimeOffset FirstSeenAt, DateTimeOffset ConfirmedAt, Box? Place = null);
