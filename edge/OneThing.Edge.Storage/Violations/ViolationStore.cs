using Microsoft.Data.Sqlite;
using OneThing.Edge.Domain.Cases;
using OneThing.Edge.Domain.Geometry;
using OneThing.Edge.Domain.Outbox;
using OneThing.Edge.Domain.Violations;
using OneThing.Edge.Storage.Audit;
using OneThing.Edge.Storage.Cases;

namespace OneThing.Edge.Storage.Violations;

/// <summary>
/// Confirmed violations with their evidence, written together with the outbox messages that forward them, in one
/// transaction: a case is either stored and queued for the traffic system, or not at all.
/// </summary>
public sealed class ViolationStore(SqliteDatabase database, TimeProvider time, IOutboxSignal? signal = null)
{
    private readonly CaseTransitions _transitions = new(new AuditLog(database, time), time);

    /// <summary>Records a confirmed violation and queues it. Returns false when the id was already recorded (nothing changes).</summary>
    public async Task<bool> RecordAsync(Violation violation, CancellationToken cancellationToken)
    {
        var recorded = await database.InTransactionAsync(
            (connection, transaction) => RecordAsync(connection, transaction, violation, cancellationToken), cancellationToken);
        if (recorded)
        {
            SignalDispatcher();
        }
        return recorded;
    }

    /// <summary>
    /// Records inside the caller's transaction (e.g. with an audit entry). Call <see cref="SignalDispatcher"/> after the
    /// commit so the case leaves at once rather than at the next sweep.
    /// </summary>
    public Task<bool> RecordAsync(SqliteConnection connection, SqliteTransaction transaction, Violation violation, CancellationToken cancellationToken) =>
        RecordAsync(connection, transaction, violation, place: null, manifestSha256: null, cancellationToken);

    /// <param name="place">Where a camera case's car stood at confirmation, kept so a restarted engine can find it again.</param>
    /// <param name="manifestSha256">The case's evidence manifest file, deleted with the case by retention.</param>
    public async Task<bool> RecordAsync(
        SqliteConnection connection, SqliteTransaction transaction, Violation violation, Box? place, string? manifestSha256, CancellationToken cancellationToken)
    {
        var now = SqliteTime.ToText(time.GetUtcNow());
        await using (var insert = connection.CreateCommand())
        {
            insert.Transaction = transaction;
            insert.CommandText = """
                INSERT OR IGNORE INTO violations (id, site_id, lane_id, source, camera_id, device_id, officer_id, plate, plate_confidence,
                    first_seen_at, confirmed_at, state, updated_at, place, manifest_sha256)
                VALUES ($id, $site, $lane, $source, $camera, $device, $officer, $plate, $confidence, $firstSeen, $confirmed, $state, $now, $place, $manifest)
                """;
            insert.Parameters.AddWithValue("$state", CaseLifecycle.Name(CaseState.Confirmed));
            insert.Parameters.AddWithValue("$place", place is { } box ? CasePlace.ToText(box) : DBNull.Value);
            insert.Parameters.AddWithValue("$manifest", (object?)manifestSha256 ?? DBNull.Value);
            insert.Parameters.AddWithValue("$id", violation.Id.ToString());
            insert.Parameters.AddWithValue("$site", violation.SiteId);
            insert.Parameters.AddWithValue("$lane", violation.LaneId);
            insert.Parameters.AddWithValue("$source", violation.Source.ToString().ToLowerInvariant());
            insert.Parameters.AddWithValue("$camera", (object?)violation.CameraId ?? DBNull.Value);
            insert.Parameters.AddWithValue("$device", (object?)violation.DeviceId ?? DBNull.Value);
            insert.Parameters.AddWithValue("$officer", (object?)violation.OfficerId ?? DBNull.Value);
            insert.Parameters.AddWithValue("$plate", (object?)violation.Plate ?? DBNull.Value);
            insert.Parameters.AddWithValue("$confidence", violation.PlateConfidence);
            insert.Parameters.AddWithValue("$firstSeen", SqliteTime.ToText(violation.FirstSeenAt));
            insert.Parameters.AddWithValue("$confirmed", SqliteTime.ToText(violation.ConfirmedAt));
            insert.Parameters.AddWithValue("$now", now);
            if (await insert.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                return false;
            }
        }

        await InsertEvidenceAsync(connection, transaction, violation.Id, firstOrdinal: 0, violation.Evidence, cancellationToken);
        await EnqueueAsync(connection, transaction, violation.Id, OutboxKinds.Violation, 0, OutboxPayload.Serialize(violation), now, cancellationToken);
        for (var i = 0; i < violation.Evidence.Count; i++)
        {
            await EnqueueAsync(connection, transaction, violation.Id, OutboxKinds.Evidence, i + 1,
                OutboxPayload.Serialize(violation.Evidence[i]), now, cancellationToken);
        }
        return true;
    }

    /// <summary>
    /// Adds evidence to a recorded case (e.g. an officer's photos merged into a camera case) and queues the uploads
    /// after everything already queued for it.
    /// </summary>
    public async Task AddEvidenceAsync(
        SqliteConnection connection, SqliteTransaction transaction, Guid violationId, IReadOnlyList<EvidenceItem> evidence, CancellationToken cancellationToken)
    {
        var now = SqliteTime.ToText(time.GetUtcNow());
        await using var count = connection.CreateCommand();
        count.Transaction = transaction;
        count.CommandText = "SELECT COUNT(*) FROM violation_evidence WHERE violation_id = $id";
        count.Parameters.AddWithValue("$id", violationId.ToString());
        var ordinal = (int)(long)(await count.ExecuteScalarAsync(cancellationToken))!;
        await InsertEvidenceAsync(connection, transaction, violationId, ordinal, evidence, cancellationToken);
        var sequence = await NextSequenceAsync(connection, transaction, violationId, cancellationToken);
        foreach (var item in evidence)
        {
            await EnqueueAsync(connection, transaction, violationId, OutboxKinds.Evidence, sequence++, OutboxPayload.Serialize(item), now, cancellationToken);
        }
    }

    /// <summary>Applies <paramref name="step"/> to a case with its audit entry; an illegal step throws <see cref="IllegalCaseTransitionException"/>.</summary>
    public Task<CaseTransition> StepAsync(Guid violationId, CaseStep step, string? reason, CancellationToken cancellationToken) =>
        database.InTransactionAsync(async (connection, transaction) =>
            (await _transitions.ApplyAsync(connection, transaction, violationId, step, reason, refuseIllegal: true, cancellationToken))!, cancellationToken);

    /// <summary>
    /// Ends a case on site (the car left, or an officer ticketed it): the step, its audit entry and the clearance
    /// message for the traffic system, queued after the case's other messages, commit together.
    /// </summary>
    public async Task<CaseTransition> EndAsync(Guid violationId, CaseStep step, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var ended = await database.InTransactionAsync(async (connection, transaction) =>
        {
            var transition = (await _transitions.ApplyAsync(connection, transaction, violationId, step, reason: null, refuseIllegal: true, cancellationToken))!;
            var clearance = new Clearance(at, CaseLifecycle.ClearanceOutcome(transition.To));
            var sequence = await NextSequenceAsync(connection, transaction, violationId, cancellationToken);
            await EnqueueAsync(connection, transaction, violationId, OutboxKinds.Clearance, sequence, OutboxPayload.Serialize(clearance),
                SqliteTime.ToText(time.GetUtcNow()), cancellationToken);
            return transition;
        }, cancellationToken);
        SignalDispatcher();
        return ended;
    }

    public async Task<ViolationCase?> GetAsync(Guid violationId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = CaseColumns + " WHERE id = $id";
        command.Parameters.AddWithValue("$id", violationId.ToString());
        return await ReadCaseAsync(connection, command, cancellationToken);
    }

    /// <summary>
    /// The newest open case (<see cref="CaseLifecycle.OpenStates"/>) of this plate in this lane confirmed at or after
    /// <paramref name="since"/>: the case an officer's report of the same car merges into.
    /// </summary>
    public async Task<ViolationCase?> FindOpenAsync(string plate, string laneId, DateTimeOffset since, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        var open = CaseTransitions.BindStates(command, "open", CaseLifecycle.OpenStates);
        command.CommandText = CaseColumns + $"""
             WHERE plate = $plate AND lane_id = $lane AND confirmed_at >= $since AND state IN ({open})
             ORDER BY confirmed_at DESC LIMIT 1
            """;
        command.Parameters.AddWithValue("$plate", plate);
        command.Parameters.AddWithValue("$lane", laneId);
        command.Parameters.AddWithValue("$since", SqliteTime.ToText(since));
        return await ReadCaseAsync(connection, command, cancellationToken);
    }

    /// <summary>Wakes the dispatcher; needed only after committing one of the overloads that take a transaction.</summary>
    public void SignalDispatcher() => signal?.MessagesEnqueued();

    private const string CaseColumns = """
        SELECT id, site_id, lane_id, source, camera_id, device_id, officer_id, plate, plate_confidence, first_seen_at, confirmed_at,
               state, case_id, notice_status, notice_sent_at FROM violations
        """;

    private static async Task<ViolationCase?> ReadCaseAsync(SqliteConnection connection, SqliteCommand command, CancellationToken cancellationToken)
    {
        Guid id;
        Func<IReadOnlyList<EvidenceItem>, ViolationCase> build;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken))
            {
                return null;
            }
            id = Guid.Parse(reader.GetString(0));
            string? Text(int i) => reader.IsDBNull(i) ? null : reader.GetString(i);
            var siteId = reader.GetString(1);
            var laneId = reader.GetString(2);
            var source = Enum.Parse<ViolationSource>(reader.GetString(3), ignoreCase: true);
            var (cameraId, deviceId, officerId, plate) = (Text(4), Text(5), Text(6), Text(7));
            var confidence = reader.GetDouble(8);
            var firstSeen = SqliteTime.Parse(reader.GetString(9));
            var confirmed = SqliteTime.Parse(reader.GetString(10));
            var state = CaseLifecycle.Parse(reader.GetString(11));
            var (caseId, noticeStatus) = (Text(12), Text(13));
            var noticeSentAt = Text(14) is { } sent ? SqliteTime.Parse(sent) : (DateTimeOffset?)null;
            build = evidence => new ViolationCase(
                new Violation(id, siteId, laneId, source, cameraId, deviceId, officerId, plate, confidence, firstSeen, confirmed, evidence),
                state, caseId, noticeStatus, noticeSentAt);
        }

        await using var evidenceCommand = connection.CreateCommand();
        evidenceCommand.CommandText = "SELECT kind, sha256, captured_at, content_type, redacted_sha256 FROM violation_evidence WHERE violation_id = $id ORDER BY ordinal";
        evidenceCommand.Parameters.AddWithValue("$id", id.ToString());
        var items = new List<EvidenceItem>();
        await using (var reader = await evidenceCommand.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                items.Add(new EvidenceItem(reader.GetString(0), reader.GetString(1), SqliteTime.Parse(reader.GetString(2)), reader.GetString(3),
                    reader.IsDBNull(4) ? null : reader.GetString(4)));
            }
        }
        return build(items);
    }

    private static async Task InsertEvidenceAsync(
        SqliteConnection connection, SqliteTransaction transaction, Guid violationId, int firstOrdinal, IReadOnlyList<EvidenceItem> evidence,
        CancellationToken cancellationToken)
    {
        for (var i = 0; i < evidence.Count; i++)
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = """
                INSERT INTO violation_evidence (violation_id, ordinal, kind, sha256, captured_at, content_type, redacted_sha256)
                VALUES ($id, $ordinal, $kind, $sha, $captured, $contentType, $redacted)
                """;
            command.Parameters.AddWithValue("$id", violationId.ToString());
            command.Parameters.AddWithValue("$ordinal", firstOrdinal + i);
            command.Parameters.AddWithValue("$kind", evidence[i].Kind);
            command.Parameters.AddWithValue("$sha", evidence[i].Sha256);
            command.Parameters.AddWithValue("$captured", SqliteTime.ToText(evidence[i].CapturedAt));
            command.Parameters.AddWithValue("$contentType", evidence[i].ContentType);
            command.Parameters.AddWithValue("$redacted", (object?)evidence[i].RedactedSha256 ?? DBNull.Value);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private static async Task<int> NextSequenceAsync(SqliteConnection connection, SqliteTransaction transaction, Guid violationId, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT COALESCE(MAX(sequence), -1) + 1 FROM outbox WHERE violation_id = $id";
        command.Parameters.AddWithValue("$id", violationId.ToString());
        return (int)(long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    internal static async Task EnqueueAsync(
        SqliteConnection connection, SqliteTransaction transaction, Guid violationId, string kind, int sequence, string payload, string now,
        CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        // Behind a dead letter nothing can be delivered in order, so the new message is dead on arrival and says why.
        command.CommandText = """
            INSERT INTO outbox (violation_id, kind, sequence, payload, state, created_at, next_attempt_at, last_error)
            SELECT $id, $kind, $sequence, $payload,
                   CASE WHEN d.id IS NULL THEN 'Pending' ELSE 'DeadLettered' END, $now, $now,
                   CASE WHEN d.id IS NULL THEN NULL ELSE 'blocked: earlier message ' || d.id || ' was dead-lettered' END
            FROM (SELECT 1) LEFT JOIN (SELECT MIN(id) AS id FROM outbox WHERE violation_id = $id AND state = 'DeadLettered') d ON d.id IS NOT NULL
            """;
        command.Parameters.AddWithValue("$id", violationId.ToString());
        command.Parameters.AddWithValue("$kind", kind);
        command.Parameters.AddWithValue("$sequence", sequence);
        command.Parameters.AddWithValue("$payload", payload);
        command.Parameters.AddWithValue("$now", now);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
