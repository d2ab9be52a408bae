using OneThing.Edge.Domain.Audit;
using OneThing.Edge.Domain.Outbox;
using OneThing.Edge.Storage.Violations;

namespace OneThing.Edge.Storage.Audit;

/// <summary>
/// Takes anchors of the audit chain: records the head in <c>audit_anchors</c> and queues it for the traffic system in
/// the same transaction, so every recorded anchor is delivered (the outbox retries) and none is sent unrecorded.
/// </summary>
public sealed class AuditAnchors(SqliteDatabase database, TimeProvider time, IOutboxSignal? signal = null)
{
    /// <summary>Anchors the current head when <see cref="AuditAnchoring.IsDue"/> says so; returns the new anchor, or null.</summary>
    public async Task<AuditAnchor?> AnchorIfDueAsync(string siteId, string instanceId, int everyEntries, TimeSpan interval, CancellationToken cancellationToken)
    {
        var anchor = await database.InTransactionAsync(async (connection, transaction) =>
        {
            AuditHead? head = null;
            AuditAnchor? last = null;
            var firstEntryAt = DateTimeOffset.MaxValue;
            await using (var read = connection.CreateCommand())
            {
                read.Transaction = transaction;
                read.CommandText = """
                    SELECT seq, entry_hash FROM audit_log ORDER BY seq DESC LIMIT 1;
                    SELECT site_id, instance_id, seq, entry_hash, anchored_at FROM audit_anchors ORDER BY seq DESC LIMIT 1;
                    SELECT at FROM audit_log ORDER BY seq LIMIT 1;
                    """;
                await using var reader = await read.ExecuteReaderAsync(cancellationToken);
                if (await reader.ReadAsync(cancellationToken))
                {
                    head = new AuditHead(reader.GetInt64(0), reader.GetString(1));
                }
                await reader.NextResultAsync(cancellationToken);
                if (await reader.ReadAsync(cancellationToken))
                {
                    last = Read(reader);
                }
                await reader.NextResultAsync(cancellationToken);
                // Before the first anchor the interval runs from the first entry.
                if (last is null && await reader.ReadAsync(cancellationToken))
                {
                    firstEntryAt = SqliteTime.Parse(reader.GetString(0));
                }
            }
            var now = time.GetUtcNow();
            if (!AuditAnchoring.IsDue(head, last?.Sequence ?? 0, last?.AnchoredAt ?? firstEntryAt, now, everyEntries, interval))
            {
                return null;
            }
            var anchor = new AuditAnchor(siteId, instanceId, head!.Sequence, head.EntryHash, now);
            await using (var insert = connection.CreateCommand())
            {
                insert.Transaction = transaction;
                insert.CommandText = "INSERT INTO audit_anchors (seq, site_id, instance_id, entry_hash, anchored_at) VALUES ($seq, $site, $instance, $hash, $at)";
                insert.Parameters.AddWithValue("$seq", anchor.Sequence);
                insert.Parameters.AddWithValue("$site", anchor.SiteId);
                insert.Parameters.AddWithValue("$instance", anchor.InstanceId);
                insert.Parameters.AddWithValue("$hash", anchor.EntryHash);
                insert.Parameters.AddWithValue("$at", SqliteTime.ToText(now));
                await insert.ExecuteNonQueryAsync(cancellationToken);
            }
            // An anchor of its own in the outbox: a failed one must not hold up the next (the traffic system keys them by site, instance and sequence).
            await ViolationStore.EnqueueAsync(connection, transaction, Guid.NewGuid(), OutboxKinds.AuditAnchor, 0, OutboxPayload.Serialize(anchor), SqliteTime.ToText(now), cancellationToken);
            return anchor;
        }, cancellationToken);
        if (anchor is not null)
        {
            signal?.MessagesEnqueued();
        }
        return anchor;
    }

    /// <summary>Every anchor taken, by sequence.</summary>
    public Task<IReadOnlyList<AuditAnchor>> ListAsync(CancellationToken cancellationToken) =>
        SelectAsync("ORDER BY seq", cancellationToken);

    /// <summary>The last anchor taken, or null before the first.</summary>
    public async Task<AuditAnchor?> LatestAsync(CancellationToken cancellationToken) =>
        (await SelectAsync("ORDER BY seq DESC LIMIT 1", cancellationToken)).SingleOrDefault();

    private async Task<IReadOnlyList<AuditAnchor>> SelectAsync(string order, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var select = connection.CreateCommand();
        select.CommandText = "SELECT site_id, instance_id, seq, entry_hash, anchored_at FROM audit_anchors " + order;
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        var anchors = new List<AuditAnchor>();
        while (await reader.ReadAsync(cancellationToken))
        {
            anchors.Add(Read(reader));
        }
        return anchors;
    }

    private static AuditAnchor Read(Microsoft.Data.Sqlite.SqliteDataReader reader) =>
        new(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetString(3), SqliteTime.Parse(reader.GetString(4)));
}
