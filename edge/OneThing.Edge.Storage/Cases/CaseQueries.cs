using System.Globalization;
using OneThing.Edge.Domain.Outbox;

namespace OneThing.Edge.Storage.Cases;

public sealed record EvidenceRow(string Kind, string Sha256, string CapturedAt);

public sealed record CaseRow(
    string Id, string State, string? Plate, string LaneId, string Source, string? CameraId, string? DeviceId,
    string FirstSeenAt, string ConfirmedAt, string? NoticeStatus, string UpdatedAt, IReadOnlyList<EvidenceRow> Evidence);

/// <summary>
/// The uplink's backlog: case messages (cases, evidence, clearances) waiting and how long the oldest has waited, audit
/// anchors waiting (counted apart: they are no notice to anyone), and dead letters of either kind.
/// </summary>
public sealed record OutboxBacklog(long Pending, long DeadLettered, double OldestPendingSeconds, long PendingAnchors = 0);

/// <summary>Read-only views of the case tables for the console and /metrics.</summary>
public sealed class CaseQueries(SqliteDatabase database, TimeProvider time)
{
    public async Task<IReadOnlyList<CaseRow>> RecentAsync(int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var cases = new List<CaseRow>();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = """
                SELECT id, state, plate, lane_id, source, camera_id, device_id, first_seen_at, confirmed_at, notice_status, updated_at
                FROM violations ORDER BY confirmed_at DESC LIMIT $limit
                """;
            command.Parameters.AddWithValue("$limit", limit);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                string? Text(int i) => reader.IsDBNull(i) ? null : reader.GetString(i);
                cases.Add(new CaseRow(reader.GetString(0), reader.GetString(1), Text(2), reader.GetString(3), reader.GetString(4), Text(5), Text(6),
                    reader.GetString(7), reader.GetString(8), Text(9), reader.GetString(10), []));
            }
        }
        if (cases.Count == 0)
        {
            return cases;
        }
        var evidence = cases.ToDictionary(c => c.Id, _ => new List<EvidenceRow>(), StringComparer.Ordinal);
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = $"""
                SELECT violation_id, kind, sha256, captured_at FROM violation_evidence
                WHERE violation_id IN ({string.Join(',', cases.Select((_, i) => "$v" + i.ToString(CultureInfo.InvariantCulture)))}) ORDER BY violation_id, ordinal
                """;
            for (var i = 0; i < cases.Count; i++)
            {
                command.Parameters.AddWithValue("$v" + i.ToString(CultureInfo.InvariantCulture), cases[i].Id);
            }
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                evidence[reader.GetString(0)].Add(new EvidenceRow(reader.GetString(1), reader.GetString(2), reader.GetString(3)));
            }
        }
        return cases.Select(c => c with { Evidence = evidence[c.Id] }).ToList();
    }

    public async Task<IReadOnlyDictionary<string, long>> CountByStateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT state, COUNT(*) FROM violations GROUP BY state";
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            counts[reader.GetString(0)] = reader.GetInt64(1);
        }
        return counts;
    }

    /// <summary>Cases confirmed at or after <paramref name="since"/>, by lane (the console's lane risk).</summary>
    public async Task<IReadOnlyDictionary<string, int>> CountByLaneSinceAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT lane_id, COUNT(*) FROM violations WHERE confirmed_at >= $since GROUP BY lane_id";
        command.Parameters.AddWithValue("$since", SqliteTime.ToText(since));
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            counts[reader.GetString(0)] = reader.GetInt32(1);
        }
        return counts;
    }

    public async Task<OutboxBacklog> OutboxAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT SUM(waiting AND NOT anchor), SUM(state = 'DeadLettered'), MIN(CASE WHEN waiting AND NOT anchor THEN created_at END), SUM(waiting AND anchor)
            FROM (SELECT state, created_at, state IN ('Pending', 'InFlight', 'Failed') AS waiting, kind = $anchor AS anchor FROM outbox)
            """;
        command.Parameters.AddWithValue("$anchor", OutboxKinds.AuditAnchor);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var pending = reader.IsDBNull(0) ? 0 : reader.GetInt64(0);
        var dead = reader.IsDBNull(1) ? 0 : reader.GetInt64(1);
        var oldest = reader.IsDBNull(2)
            ? 0
            : Math.Max(0, (time.GetUtcNow() - SqliteTime.Parse(reader.GetString(2))).TotalSeconds);
        var anchors = reader.IsDBNull(3) ? 0 : reader.GetInt64(3);
        return new OutboxBacklog(pending, dead, oldest, anchors);
    }

    /// <summary>The case an evidence file belongs to (the first, should two share the same bytes); null for none.</summary>
    public async Task<Guid?> CaseOfEvidenceAsync(string sha256, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT violation_id FROM violation_evidence WHERE sha256 = $sha ORDER BY rowid LIMIT 1";
        command.Parameters.AddWithValue("$sha", sha256);
        return await command.ExecuteScalarAsync(cancellationToken) is string id ? Guid.Parse(id) : null;
    }
}
