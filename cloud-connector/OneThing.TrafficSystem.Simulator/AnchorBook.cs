namespace OneThing.TrafficSystem.Simulator;

/// <summary>An audit chain head a gateway handed over.</summary>
public sealed record AuditAnchor(string SiteId, string InstanceId, long Sequence, string EntryHash, DateTimeOffset AnchoredAt);

/// <summary>The body of <c>POST /api/v1/audit-anchors</c>; nullable so validation can name what is missing.</summary>
public sealed record AuditAnchorIntake(string? SiteId, string? InstanceId, long? Sequence, string? EntryHash, DateTimeOffset? AnchoredAt)
{
    public Dictionary<string, string[]> Validate()
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(SiteId))
        {
            errors["siteId"] = ["siteId is required."];
        }
        if (string.IsNullOrWhiteSpace(InstanceId))
        {
            errors["instanceId"] = ["instanceId is required: the gateway instance whose chain this is."];
        }
        if (Sequence is not > 0)
        {
            errors["sequence"] = ["sequence must be a positive entry number."];
        }
        if (EntryHash is null || !IntakeValidation.IsSha256(EntryHash))
        {
            errors["entryHash"] = ["entryHash must be 64 lower-case hex digits."];
        }
        if (AnchoredAt is null)
        {
            errors["anchoredAt"] = ["anchoredAt is required."];
        }
        return errors;
    }
}

public enum AnchorResult { Recorded, Repeat, Conflict }

/// <summary>
/// The anchors each gateway instance handed over, kept as first received: a gateway whose chain was rewritten cannot
/// replace them, which is what lets an investigator check its log against them. Keyed by site and instance: the
/// instances of one site each keep their own chain, whose sequences overlap.
/// </summary>
public sealed class AnchorBook
{
    private readonly Dictionary<(string Site, string Instance), SortedList<long, AuditAnchor>> _byChain = [];
    private readonly Lock _gate = new();

    public AnchorResult Record(AuditAnchor anchor)
    {
        lock (_gate)
        {
            if (!_byChain.TryGetValue((anchor.SiteId, anchor.InstanceId), out var anchors))
            {
                _byChain[(anchor.SiteId, anchor.InstanceId)] = anchors = [];
            }
            if (anchors.TryGetValue(anchor.Sequence, out var held))
            {
                return string.Equals(held.EntryHash, anchor.EntryHash, StringComparison.OrdinalIgnoreCase) ? AnchorResult.Repeat : AnchorResult.Conflict;
            }
            anchors.Add(anchor.Sequence, anchor);
            return AnchorResult.Recorded;
        }
    }

    public IReadOnlyList<AuditAnchor> Of(string siteId, string instanceId)
    {
        lock (_gate)
        {
            return _byChain.TryGetValue((siteId, instanceId), out var anchors) ? [.. anchors.Values] : [];
        }
    }
}
