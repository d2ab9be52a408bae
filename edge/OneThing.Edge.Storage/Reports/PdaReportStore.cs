using System.Text.Json;
using Microsoft.Data.Sqlite;
using OneThing.Edge.Domain.Faults;
using OneThing.Edge.Domain.Reports;

namespace OneThing.Edge.Storage.Reports;

/// <summary>
/// Officer reports in SQLite. Photos are written (and fsynced) first, then report and photo rows in one transaction;
/// a report id seen before is a duplicate and adds nothing.
/// </summary>
public sealed class PdaReportStore(SqliteDatabase database, FileStore files) : IPdaReportStore
{
    public async Task<PdaSaveResult> SaveAsync(PdaReport report, CancellationToken cancellationToken)
    {
        var photoHashes = new List<string>(report.Photos.Count);
        foreach (var photo in report.Photos)
        {
            photoHashes.Add(await files.PutAsync(photo.Data, cancellationToken));
        }

        return await database.InTransactionAsync(async (connection, transaction) =>
        {
            await using (var existing = Command(connection, transaction, "SELECT violation_id FROM pda_reports WHERE report_id = $id"))
            {
                existing.Parameters.AddWithValue("$id", report.ReportId);
                await using var reader = await existing.ExecuteReaderAsync(cancellationToken);
                if (await reader.ReadAsync(cancellationToken))
                {
                    return new PdaSaveResult(true, reader.IsDBNull(0) ? null : Guid.Parse(reader.GetString(0)));
                }
            }

            await using (var insert = Command(connection, transaction, """
                INSERT INTO pda_reports (report_id, device_id, officer_id, plate, lane_id, location_json, observed_at, task_id, note, received_at)
                VALUES ($id, $device, $officer, $plate, $lane, $location, $observed, $task, $note, $received)
                """))
            {
                insert.Parameters.AddWithValue("$id", report.ReportId);
                insert.Parameters.AddWithValue("$device", report.DeviceId);
                insert.Parameters.AddWithValue("$officer", report.OfficerId);
                insert.Parameters.AddWithValue("$plate", report.Plate);
                insert.Parameters.AddWithValue("$lane", (object?)report.LaneId ?? DBNull.Value);
                insert.Parameters.AddWithValue("$location", report.Location is null ? DBNull.Value : JsonSerializer.Serialize(report.Location));
                insert.Parameters.AddWithValue("$observed", SqliteTime.ToText(report.ObservedAt));
                insert.Parameters.AddWithValue("$task", (object?)report.TaskId ?? DBNull.Value);
                insert.Parameters.AddWithValue("$note", (object?)report.Note ?? DBNull.Value);
                insert.Parameters.AddWithValue("$received", SqliteTime.ToText(report.ReceivedAt));
                await insert.ExecuteNonQueryAsync(cancellationToken);
            }

            for (var i = 0; i < photoHashes.Count; i++)
            {
                await using var photo = Command(connection, transaction, "INSERT INTO pda_report_photos (report_id, ordinal, sha256, content_type) VALUES ($id, $n, $sha, $type)");
                photo.Parameters.AddWithValue("$id", report.ReportId);
                photo.Parameters.AddWithValue("$n", i);
                photo.Parameters.AddWithValue("$sha", photoHashes[i]);
                photo.Parameters.AddWithValue("$type", report.Photos[i].ContentType);
                await photo.ExecuteNonQueryAsync(cancellationToken);
            }
            CrashPoint.Reached(CrashPoint.ReportUncommitted);
            return new PdaSaveResult(false, null);
        }, cancellationToken);
    }

    public async Task RecordRejectionAsync(string deviceId, string? reportId, string code, string reason, ReadOnlyMemory<byte> payload, DateTimeOffset receivedAt, CancellationToken cancellationToken)
    {
        var sha = payload.IsEmpty ? null : await files.PutAsync(payload, cancellationToken);
        await database.InTransactionAsync(async (connection, transaction) =>
        {
            await using var insert = Command(connection, transaction, """
                INSERT INTO pda_rejections (device_id, report_id, code, reason, payload_sha256, payload_bytes, received_at)
                VALUES ($device, $report, $code, $reason, $sha, $bytes, $at)
                """);
            insert.Parameters.AddWithValue("$device", deviceId);
            insert.Parameters.AddWithValue("$report", (object?)reportId ?? DBNull.Value);
            insert.Parameters.AddWithValue("$code", code);
            insert.Parameters.AddWithValue("$reason", reason);
            insert.Parameters.AddWithValue("$sha", (object?)sha ?? DBNull.Value);
            insert.Parameters.AddWithValue("$bytes", payload.Length);
            insert.Parameters.AddWithValue("$at", SqliteTime.ToText(receivedAt));
            return await insert.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);
    }

    /// <summary>Stored report with its photo hashes, for the console, case fusion and tests.</summary>
    public async Task<StoredPdaReport?> FindAsync(string reportId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var query = Command(connection, null, """
            SELECT r.device_id, r.officer_id, r.plate, r.lane_id, r.observed_at, r.task_id, r.violation_id,
                   (SELECT group_concat(sha256, ',') FROM (SELECT sha256 FROM pda_report_photos p WHERE p.report_id = r.report_id ORDER BY ordinal))
            FROM pda_reports r WHERE r.report_id = $id
            """);
        query.Parameters.AddWithValue("$id", reportId.ToLowerInvariant());
        await using var reader = await query.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }
        return new StoredPdaReport(
            reportId, reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3),
            SqliteTime.ParseReportTime(reader.GetString(4)), reader.IsDBNull(5) ? null : reader.GetString(5),
            reader.IsDBNull(6) ? null : Guid.Parse(reader.GetString(6)),
            reader.IsDBNull(7) ? [] : reader.GetString(7).Split(','));
    }

    /// <summary>Links a report to the case it became or was merged into.</summary>
    public async Task LinkViolationAsync(string reportId, Guid violationId, CancellationToken cancellationToken)
    {
        await database.InTransactionAsync(async (connection, transaction) =>
        {
            await using var update = Command(connection, transaction, "UPDATE pda_reports SET violation_id = $v WHERE report_id = $id");
            update.Parameters.AddWithValue("$v", violationId.ToString());
            update.Parameters.AddWithValue("$id", reportId);
            return await update.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }
}

public sealed record StoredPdaReport(
    string ReportId, string DeviceId, string OfficerId, string Plate, string? LaneId, DateTimeOffset ObservedAt, string? TaskId, Guid? ViolationId, IReadOnlyList<string> PhotoSha256);
