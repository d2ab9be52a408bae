using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using OneThing.Edge.Domain.Audit;

namespace OneThing.Edge.Storage.Audit;

/// <summary>
/// The append-only, hash-chained audit log in the gateway's SQLite file. An entry is written in the same
/// transaction as the change it records (violation stored, evidence stored, forwarded, receipt, export), so the
/// log and the data cannot disagree after a crash.
/// </summary>
public sealed class AuditLog(SqliteDatabase database, TimeProvider timeProvider)
{
    private static readonly JsonSerializerOptions PayloadOptions = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Appends inside the caller's write transaction (begun IMMEDIATE, as <see cref="SqliteDatabase.InTransactionAsync{T}"/>
    /// does), so the last hash read here is still the last one when the entry is inserted.
    /// </summary>
    public Task<AuditEntry> AppendAsync<TPayload>(string kind, TPayload payload, SqliteConnection connection, SqliteTransaction transaction, CancellationToken cancellationToken) =>
        AppendJsonAsync(kind, JsonSerializer.Serialize(payload, PayloadOptions), connection, transaction, cancellationToken);

    /// <summary>Appends in a transaction of its own.</summary>
    public Task<AuditEntry> AppendAsync<TPayload>(string kind, TPayload payload, CancellationToken cancellationToken) =>
        database.InTransactionAsync((connection, transaction) => AppendAsync(kind, payload, connection, transaction, cancellationToken), cancellationToken);

    /// <summary>Appends a payload that is already JSON; its exact text is what gets hashed.</summary>
    public async Task<AuditEntry> AppendJsonAsync(string kind, string payloadJson, SqliteConnection connection, SqliteTransaction transaction, CancellationToken cancellationToken)
    {
        if (!AuditKinds.All.Contains(kind))
        {
            throw new ArgumentException($"Unknown audit kind '{kind}'; expected one of {string.Join(", ", AuditKinds.All)}.", nameof(kind));
        }

        long lastSequence = 0;
        var lastHash = AuditChain.GenesisHash;
        await using (var last = connection.CreateCommand())
        {
            last.Transaction = transaction;
            last.CommandText = "SELECT seq, entry_hash FROM audit_log ORDER BY seq DESC LIMIT 1";
            await using var reader = await last.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                lastSequence = reader.GetInt64(0);
                lastHash = reader.GetString(1);
            }
        }

        var entry = AuditChain.Next(lastSequence, lastHash, kind, timeProvider.GetUtcNow(), payloadJson);
        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = """
            INSERT INTO audit_log (seq, kind, at, payload_json, payload_sha256, prev_hash, entry_hash)
            VALUES ($seq, $kind, $at, $payload, $payloadSha, $prev, $hash)
            """;
        insert.Parameters.AddWithValue("$seq", entry.Sequence);
        insert.Parameters.AddWithValue("$kind", entry.Kind);
        insert.Parameters.AddWithValue("$at", SqliteTime.ToText(entry.At));
        insert.Parameters.AddWithValue("$payload", entry.PayloadJson);
        insert.Parameters.AddWithValue("$payloadSha", entry.PayloadSha256);
        insert.Parameters.AddWithValue("$prev", entry.PreviousHash);
        insert.Parameters.AddWithValue("$hash", entry.EntryHash);
        await insert.ExecuteNonQueryAsync(cancellationToken);
        return entry;
    }

    /// <summary>Every entry in sequence order.</summary>
    public async Task<IReadOnlyList<AuditEntry>> ReadAllAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var select = connection.CreateCommand();
        select.CommandText = "SELECT seq, kind, at, payload_json, payload_sha256, prev_hash, entry_hash FROM audit_log ORDER BY seq";
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        var entries = new List<AuditEntry>();
        while (await reader.ReadAsync(cancellationToken))
        {
            entries.Add(new AuditEntry(
                reader.GetInt64(0),
                reader.GetString(1),
                ParseTime(reader.GetString(2)),
                reader.GetString(3),
                reader.GetString(4),
                reader.GetString(5),
                reader.GetString(6)));
        }
        return entries;
    }

    /// <summary>
    /// Checks the whole chain and every evidence file it names; the report gives the first failure (sequence and
    /// reason). With <paramref name="knownHead"/> (from <see cref="HeadAsync"/>, published earlier) entries cut off
    /// the end are caught too; with <paramref name="anchors"/> (the traffic system's) so is a chain rewritten with
    /// recomputed hashes, which the chain alone cannot show.
    /// </summary>
    public async Task<AuditVerification> VerifyAsync(FileStore files, CancellationToken cancellationToken, AuditHead? knownHead = null, IReadOnlyList<AuditAnchor>? anchors = null)
    {
        var entries = await ReadAllAsync(cancellationToken);
        var chain = await AuditVerifier.VerifyAsync(entries, (sha, ct) => CheckEvidenceAsync(files, sha, ct), cancellationToken, knownHead);
        if (anchors is null || AuditAnchoring.Check(entries, anchors) is not { } diverged
            || (chain.FirstFailure is { } earlier && earlier.Sequence < diverged.Sequence))
        {
            return chain;
        }
        return new AuditVerification(entries.Count(e => e.Sequence < diverged.Sequence), diverged);
    }

    /// <summary>The last entry's sequence and hash, to publish outside the gateway (null for an empty log).</summary>
    public async Task<AuditHead?> HeadAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var last = connection.CreateCommand();
        last.CommandText = "SELECT seq, entry_hash FROM audit_log ORDER BY seq DESC LIMIT 1";
        await using var reader = await last.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? new AuditHead(reader.GetInt64(0), reader.GetString(1)) : null;
    }

    private static async ValueTask<EvidenceState> CheckEvidenceAsync(FileStore files, string sha256, CancellationToken cancellationToken)
    {
        // A payload edited to a non-hash must not turn into a path.
        if (sha256.Length != 64 || !sha256.All(char.IsAsciiHexDigit))
        {
            return EvidenceState.Mismatch;
        }
        if (!files.Exists(sha256))
        {
            return EvidenceState.Missing;
        }
        await using var stream = File.OpenRead(files.PathOf(sha256));
        var actual = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));
        return string.Equals(actual, sha256, StringComparison.OrdinalIgnoreCase) ? EvidenceState.Intact : EvidenceState.Mismatch;
    }

    // An edited, unparsable time still yields an entry, whose hash then fails to match.
    private static DateTimeOffset ParseTime(string text) => SqliteTime.TryParse(text, out var at) ? at : DateTimeOffset.MinValue;
}
