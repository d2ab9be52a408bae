using System.Text.Json;

namespace OneThing.Edge.Domain.Audit;

public enum AuditFailureReason
{
    /// <summary>The payload no longer matches the hash recorded with it.</summary>
    PayloadEdited,

    /// <summary>Sequence, kind, time or hashes of the entry were changed after it was written (or it was rewritten with new hashes).</summary>
    EntryEdited,

    /// <summary>One or more entries are missing before this sequence number.</summary>
    Removed,

    /// <summary>Entries are out of their written order.</summary>
    Reordered,

    /// <summary>The evidence file an entry names holds other bytes than were stored.</summary>
    EvidenceMismatch,

    /// <summary>The evidence file an entry names is gone, and no later retention entry lists it as purged.</summary>
    EvidenceMissing,

    /// <summary>The entry at an anchor's sequence differs from the hash the traffic system holds (or is gone).</summary>
    AnchorMismatch,
}

public sealed record AuditFailure(long Sequence, AuditFailureReason Reason, string Detail);

/// <summary>Result of a verification: how many entries were found intact before the first failure (all of them when <see cref="Ok"/>).</summary>
public sealed record AuditVerification(long EntriesChecked, AuditFailure? FirstFailure)
{
    public bool Ok => FirstFailure is null;
}

public enum EvidenceState { Intact, Mismatch, Missing }

/// <summary>
/// The last entry as published outside the gateway (status message, export receipt). A chain can only prove what
/// lies before its end; checking against a known head also catches entries cut off the end.
/// </summary>
public sealed record AuditHead(long Sequence, string EntryHash);

/// <summary>Walks an audit log in stored order and reports the first entry that breaks the chain, and why.</summary>
public static class AuditVerifier
{
    /// <param name="entries">The log in the order it is stored (by sequence).</param>
    /// <param name="checkEvidence">Whether the evidence file with this SHA-256 still exists with those exact bytes.</param>
    /// <param name="knownHead">A head published earlier, if any: the chain must still contain it unchanged.</param>
    public static async ValueTask<AuditVerification> VerifyAsync(
        IReadOnlyList<AuditEntry> entries,
        Func<string, CancellationToken, ValueTask<EvidenceState>> checkEvidence,
        CancellationToken cancellationToken,
        AuditHead? knownHead = null)
    {
        var positionOfSequence = new Dictionary<long, int>();
        var positionOfHash = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < entries.Count; i++)
        {
            positionOfSequence.TryAdd(entries[i].Sequence, i);
            positionOfHash.TryAdd(entries[i].EntryHash, i);
        }
        bool AppearsLater(string hash, int i) => positionOfHash.TryGetValue(hash, out var p) && p > i;
        var purgedAt = PurgedFiles(entries);

        var previousHash = AuditChain.GenesisHash;
        var expected = 1L;
        for (var i = 0; i < entries.Count; i++)
        {
            var e = entries[i];
            var failure = CheckPlace(e, i, expected) ?? CheckContent(e, i, previousHash);
            if (failure is null && e.Kind == AuditKinds.EvidenceStored)
            {
                failure = await CheckEvidenceAsync(e, checkEvidence, purgedAt, cancellationToken);
            }
            if (failure is not null)
            {
                return new AuditVerification(i, failure);
            }
            if (knownHead is not null && e.Sequence == knownHead.Sequence && e.EntryHash != knownHead.EntryHash)
            {
                return new AuditVerification(i, new(e.Sequence, AuditFailureReason.EntryEdited, "entry differs from the published head: the chain was rewritten"));
            }
            previousHash = e.EntryHash;
            expected = e.Sequence + 1;
        }
        if (knownHead is not null && expected <= knownHead.Sequence)
        {
            return new AuditVerification(entries.Count, new(expected, AuditFailureReason.Removed, $"entries {expected} to {knownHead.Sequence} (the published head) are missing"));
        }
        return new AuditVerification(entries.Count, null);

        AuditFailure? CheckPlace(AuditEntry e, int i, long expectedSequence)
        {
            if (e.Sequence == expectedSequence)
            {
                return null;
            }
            if (positionOfSequence.TryGetValue(expectedSequence, out var p) && p > i)
            {
                return new(expectedSequence, AuditFailureReason.Reordered, $"entry {expectedSequence} comes after entry {e.Sequence}");
            }
            return e.Sequence > expectedSequence
                ? new(expectedSequence, AuditFailureReason.Removed, e.Sequence == expectedSequence + 1
                    ? $"entry {expectedSequence} is missing"
                    : $"entries {expectedSequence} to {e.Sequence - 1} are missing")
                : new(e.Sequence, AuditFailureReason.Reordered, $"entry {e.Sequence} appears again after entry {expectedSequence - 1}");
        }

        AuditFailure? CheckContent(AuditEntry e, int i, string previous)
        {
            if (AuditChain.HashPayload(e.PayloadJson) != e.PayloadSha256)
            {
                return new(e.Sequence, AuditFailureReason.PayloadEdited, "payload does not match its recorded SHA-256");
            }
            var links = e.PreviousHash == previous;
            if (AuditChain.ComputeEntryHash(e.Sequence, e.Kind, e.At, e.PayloadSha256, e.PreviousHash) != e.EntryHash)
            {
                // Swapped rows keep their own hashes but carry the wrong sequence; their link points at a later entry.
                return !links && AppearsLater(e.PreviousHash, i)
                    ? new(e.Sequence, AuditFailureReason.Reordered, "entry content belongs after a later entry")
                    : new(e.Sequence, AuditFailureReason.EntryEdited, "entry fields do not match its hash");
            }
            if (!links)
            {
                return AppearsLater(e.PreviousHash, i)
                    ? new(e.Sequence, AuditFailureReason.Reordered, "entry links to an entry stored after it")
                    : new(e.Sequence - 1, AuditFailureReason.EntryEdited, $"entry {e.Sequence} no longer links to it: it was rewritten");
            }
            return null;
        }
    }

    /// <summary>
    /// Checks a run of consecutive entries cut from a chain (a case export): each links to the one before it (the
    /// first to whatever its previous hash says) and matches its hash. Payloads of other cases are left out of an
    /// export; for those only the recorded payload hash is used.
    /// </summary>
    public static AuditVerification VerifySegment(IReadOnlyList<AuditEntry> segment, Func<AuditEntry, bool> payloadWithheld)
    {
        for (var i = 0; i < segment.Count; i++)
        {
            var e = segment[i];
            AuditFailure? failure = null;
            if (i > 0 && e.Sequence != segment[i - 1].Sequence + 1)
            {
                failure = new(segment[i - 1].Sequence + 1, AuditFailureReason.Removed, $"entry {segment[i - 1].Sequence + 1} is missing before entry {e.Sequence}");
            }
            else if (!payloadWithheld(e) && AuditChain.HashPayload(e.PayloadJson) != e.PayloadSha256)
            {
                failure = new(e.Sequence, AuditFailureReason.PayloadEdited, "payload does not match its recorded SHA-256");
            }
            else if (AuditChain.ComputeEntryHash(e.Sequence, e.Kind, e.At, e.PayloadSha256, e.PreviousHash) != e.EntryHash)
            {
                failure = new(e.Sequence, AuditFailureReason.EntryEdited, "entry fields do not match its hash");
            }
            else if (i > 0 && e.PreviousHash != segment[i - 1].EntryHash)
            {
                failure = new(e.Sequence - 1, AuditFailureReason.EntryEdited, $"entry {e.Sequence} no longer links to it");
            }
            if (failure is not null)
            {
                return new AuditVerification(i, failure);
            }
        }
        return new AuditVerification(segment.Count, null);
    }

    /// <summary>
    /// Each file a retention entry lists, with the first such entry's sequence. An entry that does not parse lists
    /// nothing; the walk reports it when it gets there.
    /// </summary>
    private static Dictionary<string, long> PurgedFiles(IReadOnlyList<AuditEntry> entries)
    {
        var purgedAt = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var e in entries.Where(e => e.Kind == AuditKinds.RetentionPurge))
        {
            try
            {
                using var json = JsonDocument.Parse(e.PayloadJson);
                if (json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("files", out var files) && files.ValueKind == JsonValueKind.Array)
                {
                    foreach (var file in files.EnumerateArray().Where(f => f.ValueKind == JsonValueKind.String))
                    {
                        purgedAt.TryAdd(file.GetString()!, e.Sequence);
                    }
                }
            }
            catch (JsonException)
            {
                // lists nothing
            }
        }
        return purgedAt;
    }

    private static async ValueTask<AuditFailure?> CheckEvidenceAsync(
        AuditEntry e, Func<string, CancellationToken, ValueTask<EvidenceState>> check, Dictionary<string, long> purgedAt, CancellationToken cancellationToken)
    {
        string? sha, redacted;
        try
        {
            using var json = JsonDocument.Parse(e.PayloadJson);
            sha = Text(json.RootElement, "sha256");
            redacted = Text(json.RootElement, "redactedSha256");
        }
        catch (JsonException)
        {
            (sha, redacted) = (null, null);
        }
        if (string.IsNullOrEmpty(sha))
        {
            return new(e.Sequence, AuditFailureReason.PayloadEdited, "evidence entry names no sha256");
        }
        // The original, then the redacted copy sent to the traffic system: both must still hold what was stored.
        foreach (var file in string.IsNullOrEmpty(redacted) ? [sha] : new[] { sha, redacted })
        {
            var failure = await check(file, cancellationToken) switch
            {
                EvidenceState.Intact => null,
                // Deleted by retention, which said so in a later entry: gone as recorded, not tampered with.
                EvidenceState.Missing when purgedAt.TryGetValue(file, out var purge) && purge > e.Sequence => null,
                EvidenceState.Missing => new AuditFailure(e.Sequence, AuditFailureReason.EvidenceMissing, $"evidence file {file} is missing"),
                _ => new AuditFailure(e.Sequence, AuditFailureReason.EvidenceMismatch, $"evidence file {file} no longer matches its SHA-256"),
            };
            if (failure is not null)
            {
                return failure;
            }
        }
        return null;
    }

    private static string? Text(JsonElement root, string property) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty(property, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
}
