namespace OneThing.Edge.Host.Audit;

/// <summary>How often the audit chain's head is anchored off the gateway (section <c>OneThing:Audit</c>).</summary>
public sealed class AuditOptions
{
    public const string Section = "OneThing:Audit";

    /// <summary>Anchor after this many new entries...</summary>
    public int AnchorEveryEntries { get; set; } = 100;

    /// <summary>...or after this long with at least one new entry.</summary>
    public TimeSpan AnchorInterval { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How often the job looks at the head: often enough to see <see cref="AnchorEveryEntries"/> reached soon.</summary>
    public TimeSpan CheckInterval => AnchorInterval > TimeSpan.Zero && AnchorInterval < TimeSpan.FromSeconds(5) ? AnchorInterval : TimeSpan.FromSeconds(5);
}
