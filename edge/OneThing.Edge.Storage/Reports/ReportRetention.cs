using Microsoft.Data.Sqlite;
using OneThing.Edge.Domain.Audit;
using OneThing.Edge.Domain.Outbox;
using OneThing.Edge.Storage.Audit;

namespace OneThing.Edge.Storage.Reports;

/// <summary>
/// Forgets officer reports after the retention period: a report received before it whose case is gone (purged by
/// <see cref="Violations.ViolationRetention"/>, which runs first) or that never became one, with its photo rows;
/// rejected payloads received before it; and the files of both that nothing else refers to. One audit entry
/// (<see cref="AuditKinds.RetentionPurge"/>) names the reports, rejections and files, in the same transaction as the
/// deletion of the rows and before the files go, so `verify-audit` tells retention from tampering.
/// </summary>
public sealed class ReportRetention(SqliteDatabase database, FileStore files, AuditLog audit) : IRetentionPurge
{
    public async Task<RetentionResult> PurgeAsync(DateTimeOffset olderThan, CancellationToken cancellationToken)
    {
        var cutoff = SqliteTime.ToText(olderThan);
        var (reports, rejections, unreferenced) = await database.InTransactionAsync(async (connection, transaction) =>
        {
            await using (var mark = Command(connection, transaction, """
                CREATE TEMP TABLE IF NOT EXISTS purge_reports (id TEXT PRIMARY KEY);
                CREATE TEMP TABLE IF NOT EXISTS purge_rejections (id INTEGER PRIMARY KEY);
                DELETE FROM purge_reports;
                DELETE FROM purge_rejections;
                INSERT INTO purge_reports
                SELECT report_id FROM pda_reports r
                WHERE r.received_at < $cutoff
                  AND (r.violation_id IS NULL OR NOT EXISTS (SELECT 1 FROM violations v WHERE v.id = r.violation_id));
                INSERT INTO purge_rejections SELECT id FROM pda_rejections WHERE received_at < $cutoff;
                """, cutoff))
            {
                await mark.ExecuteNonQueryAsync(cancellationToken);
            }
            var reportIds = await ReadAsync(connection, transaction, "SELECT id FROM purge_reports ORDER BY id", cutoff, r => r.GetString(0), cancellationToken);
            var rejectionIds = await ReadAsync(connection, transaction, "SELECT id FROM purge_rejections ORDER BY id", cutoff, r => r.GetInt64(0), cancellationToken);
            if (reportIds.Count == 0 && rejectionIds.Count == 0)
            {
                return (0, 0, new List<string>());
            }

            var candidates = await ReadAsync(connection, transaction, """
                SELECT sha256 FROM pda_report_photos WHERE report_id IN (SELECT id FROM purge_reports)
                UNION
                SELECT payload_sha256 FROM pda_rejections WHERE id IN (SELECT id FROM purge_rejections) AND payload_sha256 IS NOT NULL
                """, cutoff, r => r.GetString(0), cancellationToken);
            await using (var delete = Command(connection, transaction, """
                DELETE FROM pda_report_photos WHERE report_id IN (SELECT id FROM purge_reports);
                DELETE FROM pda_reports WHERE report_id IN (SELECT id FROM purge_reports);
                DELETE FROM pda_rejections WHERE id IN (SELECT id FROM purge_rejections);
                """, cutoff))
            {
                await delete.ExecuteNonQueryAsync(cancellationToken);
            }
            // Files of the purged rows that no remaining case, report or rejection refers to.
            var doomed = await PurgedFiles.UnreferencedAsync(connection, transaction, candidates, cancellationToken);
            await audit.AppendAsync(AuditKinds.RetentionPurge,
                new ReportPurgePayload($"retention: officer reports without a case and rejected payloads received before {cutoff}", olderThan, reportIds, rejectionIds, doomed),
                connection, transaction, cancellationToken);
            return (reportIds.Count, rejectionIds.Count, doomed);
        }, cancellationToken);

        return new RetentionResult(0, 0, PurgedFiles.Delete(files, unreferenced)) { Reports = reports, Rejections = rejections };
    }

    private static async Task<List<T>> ReadAsync<T>(SqliteConnection connection, SqliteTransaction transaction, string sql, string cutoff, Func<SqliteDataReader, T> read, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, sql, cutoff);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(read(reader));
        }
        return rows;
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction transaction, string sql, string cutoff)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.Parameters.AddWithValue("$cutoff", cutoff);
        return command;
    }
}
