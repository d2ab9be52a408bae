namespace OneThing.Edge.Domain.Audit;

/// <summary>
/// The chain head as handed to the traffic system (and published retained on MQTT). Whoever can write the gateway's
/// database can recompute every hash, but not the anchors held elsewhere: a rewritten chain no longer matches them.
/// Each gateway instance of a site keeps its own database and chain, so an anchor names its instance
/// (<c>Mqtt:ClientId</c>, the one the instance's data directory runs under) as well as its site.
/// </summary>
public sealed record AuditAnchor(string SiteId, string InstanceId, long Sequence, string EntryHash, DateTimeOffset AnchoredAt);

/// <summary>When to anchor, and how a chain compares with the anchors taken of it.</summary>
public static class AuditAnchoring
{
    /// <summary>
    /// Due when <paramref name="everyEntries"/> entries were written after <paramref name="lastSequence"/> (the last
    /// anchor's, 0 before the first), or when <paramref name="interval"/> has passed <paramref name="since"/> (the last
    /// anchor, or the first entry) and there is at least one new entry.
    /// </summary>
    public static bool IsDue(AuditHead? head, long lastSequence, DateTimeOffset since, DateTimeOffset now, int everyEntries, TimeSpan interval) =>
        head is not null && (head.Sequence >= lastSequence + everyEntries || (head.Sequence > lastSequence && now - since >= interval));

    /// <summary>
    /// The first anchor (by sequence) the chain no longer matches: its entry is gone or has another hash. A rewrite
    /// lies after the last anchor that still matches and at or before the one named.
    /// </summary>
    public static AuditFailure? Check(IReadOnlyList<AuditEntry> entries, IEnumerable<AuditAnchor> anchors)
    {
        var hashOf = new Dictionary<long, string>();
        foreach (var e in entries)
        {
            hashOf.TryAdd(e.Sequence, e.EntryHash);
        }
        var last = entries.Count == 0 ? 0 : entries.Max(e => e.Sequence);
        var intactUpTo = 0L;
        foreach (var anchor in anchors.OrderBy(a => a.Sequence))
        {
            var when = $"anchored {AuditChain.FormatTime(anchor.AnchoredAt)}";
            if (!hashOf.TryGetValue(anchor.Sequence, out var hash))
            {
                return anchor.Sequence > last
                    ? new(last + 1, AuditFailureReason.Removed, $"entries {last + 1} to {anchor.Sequence} are gone; the traffic system holds entry {anchor.Sequence} ({when})")
                    : new(anchor.Sequence, AuditFailureReason.AnchorMismatch, $"entry {anchor.Sequence} is gone; the traffic system holds it ({when})");
            }
            if (!string.Equals(hash, anchor.EntryHash, StringComparison.OrdinalIgnoreCase))
            {
                return new(anchor.Sequence, AuditFailureReason.AnchorMismatch,
                    $"entry {anchor.Sequence} differs from the anchor the traffic system holds ({when}): the chain was rewritten at or after entry {intactUpTo + 1}");
            }
            intactUpTo = anchor.Sequence;
        }
        return null;
    }
}
