using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using OneThing.Edge.Domain.Audit;

namespace OneThing.Edge.Storage.Audit;

/// <summary>One file of a case export: where it sits in the zip and what it is.</summary>
public sealed record BundleFile(string Path, string Sha256, string Kind, string ContentType);

/// <summary><c>manifest.json</c> of a case export.</summary>
public sealed record BundleManifest(Guid CaseId, DateTimeOffset ExportedAt, string ExportedBy, long ExportEntry, IReadOnlyList<BundleFile> Files);

/// <summary>
/// An audit entry as exported: entries of other cases between the case's own keep their hashes but not their
/// payload (null), which would carry other people's plates.
/// </summary>
public sealed record BundleEntry(long Sequence, string Kind, DateTimeOffset At, string? PayloadJson, string PayloadSha256, string PreviousHash, string EntryHash)
{
    public static BundleEntry From(AuditEntry e, bool withPayload) =>
        new(e.Sequence, e.Kind, e.At, withPayload ? e.PayloadJson : null, e.PayloadSha256, e.PreviousHash, e.EntryHash);

    public AuditEntry ToEntry() => new(Sequence, Kind, At, PayloadJson ?? "", PayloadSha256, PreviousHash, EntryHash);
}

/// <summary>What checking a case export found: null <see cref="Failure"/> when everything holds.</summary>
public sealed record BundleReport(string? Failure, string Summary)
{
    public bool Ok => Failure is null;
}

/// <summary>
/// The layout of a case export zip and its verification, which needs nothing but the zip (and, for the strong check,
/// the traffic system's anchors): every file matches its SHA-256 and is the set the export entry lists, the audit
/// entries form an unbroken run of the chain, and that run matches the anchors.
/// </summary>
public static class CaseBundle
{
    public const string ManifestPath = "manifest.json";
    public const string AuditPath = "audit.json";
    public const string AnchorsPath = "anchors.json";
    public const string ReadmePath = "README.txt";
    public const string EvidenceFolder = "evidence/";

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <param name="externalAnchors">Anchors fetched from the traffic system; the bundle's own copy is checked either way.</param>
    public static async Task<BundleReport> VerifyAsync(Stream zip, IReadOnlyList<AuditAnchor>? externalAnchors, CancellationToken cancellationToken)
    {
        using var archive = new ZipArchive(zip, ZipArchiveMode.Read, leaveOpen: true);
        BundleManifest? manifest;
        List<BundleEntry>? entries;
        List<AuditAnchor>? anchors;
        try
        {
            manifest = await ReadJsonAsync<BundleManifest>(archive, ManifestPath, cancellationToken);
            entries = await ReadJsonAsync<List<BundleEntry>>(archive, AuditPath, cancellationToken);
            anchors = await ReadJsonAsync<List<AuditAnchor>>(archive, AnchorsPath, cancellationToken);
        }
        catch (Exception e) when (e is JsonException or FileNotFoundException)
        {
            return new BundleReport($"not a case export: {e.Message}", "");
        }
        if (manifest is null || entries is not { Count: > 0 } || anchors is null)
        {
            return new BundleReport("not a case export: manifest.json, audit.json or anchors.json is empty", "");
        }

        // Files first: an altered photo is what an investigator most needs named.
        var inZip = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in archive.Entries.Where(e => e.FullName.StartsWith(EvidenceFolder, StringComparison.Ordinal) && e.Length > 0))
        {
            await using var content = await file.OpenAsync(cancellationToken);
            var sha = Convert.ToHexStringLower(await SHA256.HashDataAsync(content, cancellationToken));
            if (!System.IO.Path.GetFileNameWithoutExtension(file.Name).Equals(sha, StringComparison.OrdinalIgnoreCase))
            {
                return new BundleReport($"file {file.FullName}: content does not match its SHA-256 (it hashes to {sha})", "");
            }
            inZip[sha] = file.FullName;
        }

        var chain = entries.Select(e => e.ToEntry()).ToList();
        var withheld = entries.Where(e => e.PayloadJson is null).Select(e => e.Sequence).ToHashSet();
        var run = AuditVerifier.VerifySegment(chain, e => withheld.Contains(e.Sequence));
        if (run.FirstFailure is { } broken)
        {
            return new BundleReport(Describe(broken), "");
        }
        var (first, last) = (chain[0].Sequence, chain[^1].Sequence);
        bool InRun(AuditAnchor a) => a.Sequence >= first && a.Sequence <= last;
        if (AuditAnchoring.Check(chain, anchors.Where(InRun)) is { } unanchored)
        {
            return new BundleReport(Describe(unanchored) + " (the export's own anchors)", "");
        }
        if (externalAnchors is [var given, ..] && anchors is [var own, ..] && (given.SiteId, given.InstanceId) != (own.SiteId, own.InstanceId))
        {
            return new BundleReport($"the anchors given are of {given.SiteId}/{given.InstanceId}; this export is of {own.SiteId}/{own.InstanceId}'s chain", "");
        }
        if (externalAnchors is not null && AuditAnchoring.Check(chain, externalAnchors.Where(InRun)) is { } diverged)
        {
            return new BundleReport(Describe(diverged), "");
        }

        // The export entry, inside the verified run, lists the files that left: exactly those must be here.
        var export = chain.FirstOrDefault(e => e.Sequence == manifest.ExportEntry && e.Kind == AuditKinds.Export && !withheld.Contains(e.Sequence));
        if (export is null)
        {
            return new BundleReport($"entry {manifest.ExportEntry}: the export entry manifest.json names is not in audit.json", "");
        }
        var listed = JsonSerializer.Deserialize<ExtractionPayload>(export.PayloadJson, Json)!.Files;
        if (listed.FirstOrDefault(sha => !inZip.ContainsKey(sha)) is { } absent)
        {
            return new BundleReport($"entry {export.Sequence}: exported file {absent} is not in the zip", "");
        }
        if (inZip.Keys.FirstOrDefault(sha => !listed.Contains(sha)) is { } extra)
        {
            return new BundleReport($"file {inZip[extra]}: not among the files entry {export.Sequence} exported", "");
        }

        var anchoredUpTo = (externalAnchors ?? anchors).Where(InRun).Select(a => a.Sequence).DefaultIfEmpty(0).Max();
        var anchoring = anchoredUpTo == 0
            ? "no anchor covers them yet"
            : anchoredUpTo == last ? $"anchored up to entry {last}" : $"anchored up to entry {anchoredUpTo}; later entries not yet";
        var source = externalAnchors is null ? "the export's anchors" : "the traffic system's anchors";
        return new BundleReport(null,
            $"case {manifest.CaseId}: {inZip.Count} files and entries {first} to {last} ({chain.Count - withheld.Count} of the case) verified; {anchoring} ({source})");
    }

    private static string Describe(AuditFailure failure) => $"entry {failure.Sequence}: {failure.Reason}: {failure.Detail}";

    private static async Task<T?> ReadJsonAsync<T>(ZipArchive archive, string path, CancellationToken cancellationToken)
    {
        var entry = archive.GetEntry(path) ?? throw new FileNotFoundException($"{path} is missing");
        await using var stream = await entry.OpenAsync(cancellationToken);
        return await JsonSerializer.DeserializeAsync<T>(stream, Json, cancellationToken);
    }
}
