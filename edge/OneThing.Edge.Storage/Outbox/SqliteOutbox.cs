using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using OneThing.Edge.Domain.Audit;
using OneThing.Edge.Domain.Cases;
using OneThing.Edge.Domain.Outbox;
using OneThing.Edge.Domain.Violations;
using OneThing.Edge.Storage.Audit;
using OneThing.Edge.Storage.Cases;

namespace OneThing.Edge.Storage.Outbox;

/// <summary>The outbox table in the gateway's SQLite file.</summary>
public sealed class SqliteOutbox(SqliteDatabase database, IOptions<OutboxOptions> options, TimeProvider time) : IOutbox
{
    private readonly OutboxOptions _options = options.Value;
    private readonly AuditLog _audit = new(database, time);
    private readonly CaseTransitions _transitions = new(new AuditLog(database, time), time);

    public async Task<IReadOnlyList<OutboxMessage>> ClaimDueAsync(int max, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return await database.InTransactionAsync(async (connection, transaction) =>
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            // Only the first unsent message of a violation can be due: the case goes before its evidence, evidence before clearance.
            command.CommandText = """
                UPDATE outbox SET state = 'InFlight', claimed_at = $now, attempts = attempts + 1
                WHERE id IN (
                    SELECT o.id FROM outbox o
                    WHERE ((o.state IN ('Pending', 'Failed') AND o.next_attempt_at <= $now)
                           OR (o.state = 'InFlight' AND o.claimed_at <= $leaseExpired))
                      AND NOT EXISTS (SELECT 1 FROM outbox e
                                      WHERE e.violation_id = o.violation_id AND e.sequence < o.sequence AND e.state <> 'Sent')
                    ORDER BY o.next_attempt_at, o.id
                    LIMIT $max)
                RETURNING id, violation_id, kind, sequence, payload, attempts, created_at;
                """;
            command.Parameters.AddWithValue("$now", SqliteTime.ToText(now));
            command.Parameters.AddWithValue("$leaseExpired", SqliteTime.ToText(now - _options.Lease));
            command.Parameters.AddWithValue("$max", max);
            var claimed = new List<OutboxMessage>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                claimed.Add(new OutboxMessage(
                    reader.GetInt64(0),
                    Guid.Parse(reader.GetString(1)),
                    reader.GetString(2),
                    reader.GetInt32(3),
                    reader.GetString(4),
                    reader.GetInt32(5),
                    SqliteTime.Parse(reader.GetString(6))));
            }
            // RETURNING yields rows in no guaranteed order; deliver oldest first.
            claimed.Sort((a, b) => a.Id.CompareTo(b.Id));
            return (IReadOnlyList<OutboxMessage>)claimed;
        }, cancellationToken);
    }

    public Task<int> RecoverInFlightAsync(CancellationToken cancellationToken) =>
        database.InTransactionAsync(async (connection, transaction) =>
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "UPDATE outbox SET state = 'Pending', claimed_at = NULL, next_attempt_at = $now WHERE state = 'InFlight'";
            command.Parameters.AddWithValue("$now", SqliteTime.ToText(time.GetUtcNow()));
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    public Task<int> ExpediteFailedAsync(CancellationToken cancellationToken) =>
        database.InTransactionAsync(async (connection, transaction) =>
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "UPDATE outbox SET next_attempt_at = $now WHERE state = 'Failed' AND next_attempt_at > $now";
            command.Parameters.AddWithValue("$now", SqliteTime.ToText(time.GetUtcNow()));
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    public Task MarkSentAsync(long messageId, CaseReceipt? receipt, CancellationToken cancellationToken) =>
        MarkSentAsync([new Delivery(messageId, receipt)], cancellationToken);

    public Task MarkSentAsync(IReadOnlyList<Delivery> deliveries, CancellationToken cancellationToken) =>
        database.InTransactionAsync(async (connection, transaction) =>
        {
            var now = SqliteTime.ToText(time.GetUtcNow());
            foreach (var delivery in deliveries)
            {
                await MarkSentAsync(connection, transaction, delivery, now, cancellationToken);
            }
            return deliveries.Count;
        }, cancellationToken);

    private async Task MarkSentAsync(SqliteConnection connection, SqliteTransaction transaction, Delivery delivery, string now, CancellationToken cancellationToken)
    {
        var (messageId, receipt) = (delivery.MessageId, delivery.Receipt);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            UPDATE outbox SET state = 'Sent', sent_at = $now, claimed_at = NULL, last_error = NULL WHERE id = $id
            RETURNING violation_id, kind, payload;
            """;
        command.Parameters.AddWithValue("$id", messageId);
        command.Parameters.AddWithValue("$now", now);
        string? violationId = null;
        string? kind = null;
        string? payload = null;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            if (await reader.ReadAsync(cancellationToken))
            {
                violationId = reader.GetString(0);
                kind = reader.GetString(1);
                payload = reader.GetString(2);
            }
        }
        if (kind == OutboxKinds.Evidence)
        {
            // Evidence left the gateway: recorded with the delivery, in its transaction.
            var uploaded = OutboxPayload.Deserialize<EvidenceItem>(payload!);
            await _audit.AppendAsync(AuditKinds.EvidenceUploaded,
                new ExtractionPayload(Guid.Parse(violationId!), [uploaded.Sha256], ExtractionPayload.Gateway, ExtractionPayload.TrafficSystem),
                connection, transaction, cancellationToken);
        }
        if (kind != OutboxKinds.Violation)
        {
            return;
        }
        if (receipt is not null)
        {
            await using var update = connection.CreateCommand();
            update.Transaction = transaction;
            update.CommandText = """
                UPDATE violations SET
                    case_id = COALESCE($caseId, case_id),
                    notice_status = COALESCE($noticeStatus, notice_status),
                    notice_sent_at = COALESCE($noticeSentAt, notice_sent_at)
                WHERE id = $violationId;
                """;
            update.Parameters.AddWithValue("$caseId", (object?)receipt.CaseId ?? DBNull.Value);
            update.Parameters.AddWithValue("$noticeStatus", (object?)receipt.NoticeStatus ?? DBNull.Value);
            update.Parameters.AddWithValue("$noticeSentAt", receipt.NoticeSentAt is { } sentAt ? SqliteTime.ToText(sentAt) : DBNull.Value);
            update.Parameters.AddWithValue("$violationId", violationId);
            await update.ExecuteNonQueryAsync(cancellationToken);
        }
        // Without a receipt (409: the traffic system already has the case) the case is forwarded, its notice unknown.
        // A case that moved on (cleared, escalated, closed) keeps its state; it only learns its case id.
        await _transitions.ApplyAsync(connection, transaction, Guid.Parse(violationId!), CaseLifecycle.StepFor(receipt?.NoticeStatus),
            receipt?.CaseId, refuseIllegal: false, cancellationToken);
    }

    public Task<OutboxState> MarkFailedAsync(long messageId, string error, CancellationToken cancellationToken) =>
        database.InTransactionAsync(async (connection, transaction) =>
        {
            var now = time.GetUtcNow();
            await using var read = connection.CreateCommand();
            read.Transaction = transaction;
            read.CommandText = "SELECT attempts, created_at, violation_id, sequence FROM outbox WHERE id = $id";
            read.Parameters.AddWithValue("$id", messageId);
            int attempts;
            DateTimeOffset createdAt;
            string violationId;
            int sequence;
            await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
            {
                if (!await reader.ReadAsync(cancellationToken))
                {
                    throw new InvalidOperationException($"Outbox message {messageId} does not exist.");
                }
                attempts = reader.GetInt32(0);
                createdAt = SqliteTime.Parse(reader.GetString(1));
                violationId = reader.GetString(2);
                sequence = reader.GetInt32(3);
            }

            var age = now - createdAt;
            if (age >= _options.MaxAge)
            {
                await DeadLetterAsync(connection, transaction, messageId, violationId, sequence,
                    $"undelivered after {age:c} and {attempts} attempts; last error: {error}", cancellationToken);
                return OutboxState.DeadLettered;
            }

            await using var update = connection.CreateCommand();
            update.Transaction = transaction;
            update.CommandText = """
                UPDATE outbox SET state = 'Failed', claimed_at = NULL, next_attempt_at = $next, last_error = $error WHERE id = $id
                """;
            update.Parameters.AddWithValue("$id", messageId);
            update.Parameters.AddWithValue("$next", SqliteTime.ToText(now + RetryDelay(attempts)));
            update.Parameters.AddWithValue("$error", error);
            await update.ExecuteNonQueryAsync(cancellationToken);
            return OutboxState.Failed;
        }, cancellationToken);

    public Task DeadLetterAsync(long messageId, string reason, CancellationToken cancellationToken) =>
        database.InTransactionAsync(async (connection, transaction) =>
        {
            await using var read = connection.CreateCommand();
            read.Transaction = transaction;
            read.CommandText = "SELECT violation_id, sequence FROM outbox WHERE id = $id";
            read.Parameters.AddWithValue("$id", messageId);
            string violationId;
            int sequence;
            await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
            {
                if (!await reader.ReadAsync(cancellationToken))
                {
                    throw new InvalidOperationException($"Outbox message {messageId} does not exist.");
                }
                violationId = reader.GetString(0);
                sequence = reader.GetInt32(1);
            }
            await DeadLetterAsync(connection, transaction, messageId, violationId, sequence, reason, cancellationToken);
            return 0;
        }, cancellationToken);

    public async Task<IReadOnlyList<OutboxEntry>> ListAsync(Guid violationId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = EntryColumns + " WHERE violation_id = $violationId ORDER BY sequence";
        command.Parameters.AddWithValue("$violationId", violationId.ToString());
        return await ReadEntriesAsync(command, cancellationToken);
    }

    public async Task<IReadOnlyList<OutboxEntry>> ListDeadLettersAsync(int max, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = EntryColumns + " WHERE state = 'DeadLettered' ORDER BY id DESC LIMIT $max";
        command.Parameters.AddWithValue("$max", max);
        return await ReadEntriesAsync(command, cancellationToken);
    }

    /// <summary>Exponential back-off with equal jitter: half the delay fixed, half random, so a backlog does not retry in lock-step.</summary>
    internal TimeSpan RetryDelay(int attempts)
    {
        var exponent = Math.Clamp(attempts - 1, 0, 30);
        var delay = Math.Min(_options.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, exponent), _options.RetryMaxDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(delay / 2 + Random.Shared.NextDouble() * delay / 2);
    }

    private async Task DeadLetterAsync(
        SqliteConnection connection, SqliteTransaction transaction, long messageId, string violationId, int sequence, string reason,
        CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        // Later messages of the violation can never be delivered in order now; they go with it, each saying why.
        command.CommandText = """
            UPDATE outbox SET state = 'DeadLettered', claimed_at = NULL, last_error = $reason WHERE id = $id;
            UPDATE outbox SET state = 'DeadLettered', claimed_at = NULL, last_error = $blocked
            WHERE violation_id = $violationId AND sequence > $sequence AND state <> 'Sent';
            """;
        command.Parameters.AddWithValue("$id", messageId);
        command.Parameters.AddWithValue("$reason", reason);
        command.Parameters.AddWithValue("$blocked", $"blocked: earlier message {messageId} was dead-lettered");
        command.Parameters.AddWithValue("$violationId", violationId);
        command.Parameters.AddWithValue("$sequence", sequence);
        await command.ExecuteNonQueryAsync(cancellationToken);
        if (sequence == 0)
        {
            // The case message itself: the traffic system will never have the case, so nobody is texted.
            await _transitions.ApplyAsync(connection, transaction, Guid.Parse(violationId), CaseStep.DeadLetter, reason, refuseIllegal: false, cancellationToken);
        }
    }

    private const string EntryColumns =
        "SELECT id, violation_id, kind, sequence, state, attempts, created_at, next_attempt_at, last_error FROM outbox";

    private static async Task<IReadOnlyList<OutboxEntry>> ReadEntriesAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        var entries = new List<OutboxEntry>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            entries.Add(new OutboxEntry(
                reader.GetInt64(0),
                Guid.Parse(reader.GetString(1)),
                reader.GetString(2),
                reader.GetInt32(3),
                Enum.Parse<OutboxState>(reader.GetString(4)),
                reader.GetInt32(5),
                SqliteTime.Parse(reader.GetString(6)),
                SqliteTime.Parse(reader.GetString(7)),
                reader.IsDBNull(8) ? null : reader.GetString(8)));
        }
        return entries;
    }
}
