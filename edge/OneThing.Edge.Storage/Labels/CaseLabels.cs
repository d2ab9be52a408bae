using OneThing.Edge.Domain.Audit;
using OneThing.Edge.Storage.Audit;

namespace OneThing.Edge.Storage.Labels;

/// <summary>An operator's verdict on a case, by its stored names.</summary>
public static class CaseVerdicts
{
    public const string Correct = "correct";
    public const string FalseAlarm = "false-alarm";

    public static IReadOnlyList<string> All { get; } = [Correct, FalseAlarm];

    /// <summary>Why a case was a false alarm.</summary>
    public static IReadOnlyList<string> FalseAlarmReasons { get; } = ["not-in-lane", "short-stop", "wrong-plate", "other"];
}

/// <summary>An operator's verdict on one case.</summary>
public sealed record CaseLabel(Guid ViolationId, string Verdict, string? Reason, string Operator, DateTimeOffset LabelledAt);

/// <summary>A violation the cameras did not cite, as an operator saw it: a car stood in the lane from start to end.</summary>
public sealed record MissedViolation(Guid Id, string CameraId, string LaneId, DateTimeOffset StartedAt, DateTimeOffset EndedAt, string Operator, string? Note, DateTimeOffset CreatedAt);

/// <summary>Payload of an <see cref="AuditKinds.CaseLabelled"/> entry.</summary>
public sealed record CaseLabelledPayload(Guid CaseId, string Verdict, string? Reason, string Operator);

/// <summary>Payload of an <see cref="AuditKinds.MissedViolationAdded"/> entry.</summary>
public sealed record MissedViolationPayload(Guid Id, string CameraId, string LaneId, DateTimeOffset StartedAt, DateTimeOffset EndedAt, string Operator, string? Note);

/// <summary>
/// Operators' labels in SQLite: verdicts on cases and missed violations. Each write commits with its audit entry, so
/// a what-if's precision and recall can be traced to who said what.
/// </summary>
public sealed class CaseLabels(SqliteDatabase database, AuditLog audit, TimeProvider time)
{
    /// <returns>false when there is no such case (nothing is written).</returns>
    public async Task<bool> LabelAsync(Guid violationId, string verdict, string? reason, string operatorName, CancellationToken cancellationToken)
    {
        if (!CaseVerdicts.All.Contains(verdict))
        {
            throw new ArgumentException($"verdict must be one of {string.Join(", ", CaseVerdicts.All)}", nameof(verdict));
        }
        if (verdict == CaseVerdicts.FalseAlarm ? !CaseVerdicts.FalseAlarmReasons.Contains(reason) : reason is not null)
        {
            throw new ArgumentException($"a false alarm needs a reason ({string.Join(", ", CaseVerdicts.FalseAlarmReasons)}); a correct case none", nameof(reason));
        }
        return await database.InTransactionAsync(async (connection, transaction) =>
        {
            await using var upsert = connection.CreateCommand();
            upsert.Transaction = transaction;
            upsert.CommandText = """
                INSERT INTO case_labels (violation_id, verdict, reason, operator, labelled_at)
                SELECT $id, $verdict, $reason, $operator, $at WHERE EXISTS (SELECT 1 FROM violations WHERE id = $id)
                ON CONFLICT (violation_id) DO UPDATE SET verdict = excluded.verdict, reason = excluded.reason, operator = excluded.operator, labelled_at = excluded.labelled_at
                """;
            upsert.Parameters.AddWithValue("$id", violationId.ToString());
            upsert.Parameters.AddWithValue("$verdict", verdict);
            upsert.Parameters.AddWithValue("$reason", (object?)reason ?? DBNull.Value);
            upsert.Parameters.AddWithValue("$operator", operatorName);
            upsert.Parameters.AddWithValue("$at", SqliteTime.ToText(time.GetUtcNow()));
            if (await upsert.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                return false;
            }
            await audit.AppendAsync(AuditKinds.CaseLabelled, new CaseLabelledPayload(violationId, verdict, reason, operatorName), connection, transaction, cancellationToken);
            return true;
        }, cancellationToken);
    }

    public async Task<MissedViolation> AddMissedAsync(string cameraId, string laneId, DateTimeOffset startedAt, DateTimeOffset endedAt, string operatorName, string? note, CancellationToken cancellationToken)
    {
        if (endedAt <= startedAt)
        {
            throw new ArgumentException("a missed violation ends after it starts", nameof(endedAt));
        }
        var missed = new MissedViolation(Guid.NewGuid(), cameraId, laneId, startedAt, endedAt, operatorName, note, time.GetUtcNow());
        await database.InTransactionAsync(async (connection, transaction) =>
        {
            await using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = """
                INSERT INTO missed_violations (id, camera_id, lane_id, started_at, ended_at, operator, note, created_at)
                VALUES ($id, $camera, $lane, $start, $end, $operator, $note, $at)
                """;
            insert.Parameters.AddWithValue("$id", missed.Id.ToString());
            insert.Parameters.AddWithValue("$camera", cameraId);
            insert.Parameters.AddWithValue("$lane", laneId);
            insert.Parameters.AddWithValue("$start", SqliteTime.ToText(startedAt));
            insert.Parameters.AddWithValue("$end", SqliteTime.ToText(endedAt));
            insert.Parameters.AddWithValue("$operator", operatorName);
            insert.Parameters.AddWithValue("$note", (object?)note ?? DBNull.Value);
            insert.Parameters.AddWithValue("$at", SqliteTime.ToText(missed.CreatedAt));
            await insert.ExecuteNonQueryAsync(cancellationToken);
            await audit.AppendAsync(AuditKinds.MissedViolationAdded,
                new MissedViolationPayload(missed.Id, cameraId, laneId, startedAt, endedAt, operatorName, note), connection, transaction, cancellationToken);
            return 1;
        }, cancellationToken);
        return missed;
    }

    /// <summary>Every case verdict, by case.</summary>
    public async Task<IReadOnlyDictionary<Guid, CaseLabel>> LabelsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var query = connection.CreateCommand();
        query.CommandText = "SELECT violation_id, verdict, reason, operator, labelled_at FROM case_labels";
        await using var reader = await query.ExecuteReaderAsync(cancellationToken);
        var labels = new Dictionary<Guid, CaseLabel>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var id = Guid.Parse(reader.GetString(0));
            labels[id] = new CaseLabel(id, reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetString(3), SqliteTime.Parse(reader.GetString(4)));
        }
        return labels;
    }

    /// <summary>Missed violations on a lane (all lanes when null), oldest first.</summary>
    public async Task<IReadOnlyList<MissedViolation>> MissedAsync(string? laneId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var query = connection.CreateCommand();
        query.CommandText = "SELECT id, camera_id, lane_id, started_at, ended_at, operator, note, created_at FROM missed_violations"
            + (laneId is null ? "" : " WHERE lane_id = $lane") + " ORDER BY started_at";
        if (laneId is not null)
        {
            query.Parameters.AddWithValue("$lane", laneId);
        }
        await using var reader = await query.ExecuteReaderAsync(cancellationToken);
        var missed = new List<MissedViolation>();
        while (await reader.ReadAsync(cancellationToken))
        {
            missed.Add(new MissedViolation(Guid.Parse(reader.GetString(0)), reader.GetString(1), reader.GetString(2), SqliteTime.Parse(reader.GetString(3)),
                SqliteTime.Parse(reader.GetString(4)), reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6), SqliteTime.Parse(reader.GetString(7))));
        }
        return missed;
    }
}
