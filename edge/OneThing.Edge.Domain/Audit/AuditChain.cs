using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace OneThing.Edge.Domain.Audit;

/// <summary>
/// One entry of the hash-chained audit log. <see cref="EntryHash"/> covers sequence, kind, time, the payload's hash
/// and the previous entry's hash, so editing, removing or reordering any entry breaks the chain from there on.
/// </summary>
public sealed record AuditEntry(
    long Sequence,
    string Kind,
    DateTimeOffset At,
    string PayloadJson,
    string PayloadSha256,
    string PreviousHash,
    string EntryHash);

/// <summary>The chain maths; hashes are lower-case hex SHA-256.</summary>
public static class AuditChain
{
    /// <summary>The previous hash of the first entry.</summary>
    public static readonly string GenesisHash = new('0', 64);

    private const string Version = "onething-audit/1";

    /// <summary>Times are hashed (and should be stored) in exactly this form: UTC, 100 ns precision.</summary>
    public static string FormatTime(DateTimeOffset at) =>
        at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    public static string HashPayload(string payloadJson) => Sha256Hex(Encoding.UTF8.GetBytes(payloadJson));

    /// <summary>SHA-256 over the canonical encoding: fixed field order, one field per line, a version tag first.</summary>
    public static string ComputeEntryHash(long sequence, string kind, DateTimeOffset at, string payloadSha256, string previousHash)
    {
        var canonical = string.Join('\n', Version, sequence.ToString(CultureInfo.InvariantCulture), kind, FormatTime(at), payloadSha256, previousHash);
        return Sha256Hex(Encoding.UTF8.GetBytes(canonical));
    }

    /// <summary>The entry that follows <paramref name="previous"/> (null: the first entry of the log).</summary>
    public static AuditEntry Next(AuditEntry? previous, string kind, DateTimeOffset at, string payloadJson) =>
        Next(previous?.Sequence ?? 0, previous?.EntryHash ?? GenesisHash, kind, at, payloadJson);

    /// <summary>The entry after the one with <paramref name="previousSequence"/> and <paramref name="previousHash"/> (0 and <see cref="GenesisHash"/> for the first).</summary>
    public static AuditEntry Next(long previousSequence, string previousHash, string kind, DateTimeOffset at, string payloadJson)
    {
        if (string.IsNullOrEmpty(kind) || kind.Any(char.IsControl))
        {
            throw new ArgumentException("An audit kind must be a non-empty single-line string.", nameof(kind));
        }
        var sequence = previousSequence + 1;
        var payloadSha = HashPayload(payloadJson);
        return new AuditEntry(sequence, kind, at, payloadJson, payloadSha, previousHash, ComputeEntryHash(sequence, kind, at, payloadSha, previousHash));
    }

    private static string Sha256Hex(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
