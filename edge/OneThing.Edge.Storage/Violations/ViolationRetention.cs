using OneThing.Edge.Domain.Audit;
using OneThing.Edge.Domain.Cases;
using OneThing.Edge.Domain.Outbox;
using OneThing.Edge.Storage.Audit;

namespace OneThing.Edge.Storage.Violations;

/// <summary>
/// Forgets finished cases after the retention period: delivered outbox messages, violations in a final state
/// whose messages are all delivered, and their files (evidence originals, redacted copies, the evidence manifest) no
/// violation or officer report refers to any more. Dead letters and open cases are kept for operators. Each purge that removes cases writes an
/// audit entry naming them and the files removed.
/// </summary>
public sealed class ViolationRetention(SqliteDatabase database, FileStore files, AuditLog audit) : IRetentionPurge
{
    public async Task<RetentionResult> PurgeAsync(DateTimeOffset olderThan, CancellationToken cancellationToken)
    {
        var cutoff = SqliteTime.ToText(olderThan);
        var (messages, violations, doomed) = await database.InTransactionAsync(async (connection, transaction) =>
        {
            var caseIds = new List<Guid>();
            var shas = new List<string>();
            await using (var select = connection.CreateCommand())
            {
                select.Transaction = transaction;
                var final = Cases.CaseTransitions.BindStates(select, "final", CaseLifecycle.FinalStates);
                select.CommandText = $"""
                    CREATE TEMP TABLE IF NOT EXISTS purge_violations (id TEXT PRIMARY KEY);
                    DELETE FROM purge_violations;
                    INSERT INTO purge_violations
                    SELECT v.id FROM violations v
                    WHERE v.state IN ({final}) AND v.updated_at < $cutoff
                      AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.violation_id = v.id AND o.state <> 'Sent');
                    SELECT id FROM purge_violations ORDER BY id;
                    SELECT sha256 FROM violation_evidence WHERE violation_id IN (SELECT id FROM purge_violations)
                    UNION SELECT redacted_sha256 FROM violation_evidence
                    WHERE violation_id IN (SELECT id FROM purge_violations) AND redacted_sha256 IS NOT NULL
                    UNION SELECT manifest_sha256 FROM violations
                    WHERE id IN (SELECT id FROM purge_violations) AND manifest_sha256 IS NOT NULL
                    ORDER BY 1;
                    """;
                select.Parameters.AddWithValue("$cutoff", cutoff);
                await using var reader = await select.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    caseIds.Add(Guid.Parse(reader.GetString(0)));
                }
                await reader.NextResultAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    shas.Add(reader.GetString(0));
                }
            }

            await using var delete = connection.CreateCommand();
            delete.Transaction = transaction;
            delete.CommandText = """
                DELETE FROM outbox WHERE violation_id IN (SELECT id FROM purge_violations)
                   OR (state = 'Sent' AND sent_at < $cutoff);
                SELECT changes();
                DELETE FROM violations WHERE id IN (SELECT id FROM purge_violations);
                SELECT changes();
                """;
            delete.Parameters.AddWithValue("$cutoff", cutoff);
            var counts = new List<int>();
            await using (var reader = await delete.ExecuteReaderAsync(cancellationToken))
            {
                do
                {
                    while (await reader.ReadAsync(cancellationToken))
                    {
                        counts.Add(reader.GetInt32(0));
                    }
                } while (await reader.NextResultAsync(cancellationToken));
            }

            // Only files nothing else refers to go; the audit entry lists them before they are deleted, so the
            // verifier can tell retention from tampering.
            var unreferenced = await PurgedFiles.UnreferencedAsync(connection, transaction, shas, cancellationToken);
            if (caseIds.Count > 0)
            {
                await audit.AppendAsync(AuditKinds.RetentionPurge,
                    new RetentionPurgePayload($"retention: finished cases unchanged since before {cutoff}", olderThan, caseIds, unreferenced),
                    connection, transaction, cancellationToken);
            }
            return (counts[0], counts[1], unreferenced);
        }, cancellationToken);

        return new RetentionResult(messages, violations, PurgedFiles.Delete(files, doomed));
    }
}
