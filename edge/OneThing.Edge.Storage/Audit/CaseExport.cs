using System.IO.Compression;
using System.Text;
using System.Text.Json;
using OneThing.Edge.Domain.Audit;

namespace OneThing.Edge.Storage.Audit;

/// <summary>
/// Writes a case export (<see cref="CaseBundle"/>): the case's evidence files and manifest, its audit entries within
/// the unbroken run of the chain that links them, the anchors taken of that run, and how to verify it. The export
/// itself is an audit entry (who, which files) written first, so the zip carries the record of its own extraction.
/// </summary>
public sealed class CaseExport(AuditLog audit, AuditAnchors anchors, FileStore files)
{
    /// <exception cref="KeyNotFoundException">The log has no entry of this case (never recorded, or an unknown id).</exception>
    public async Task WriteAsync(Guid caseId, string by, string channel, Stream zip, CancellationToken cancellationToken)
    {
        var evidence = CaseFiles(caseId, await audit.ReadAllAsync(cancellationToken));
        if (evidence is null)
        {
            throw new KeyNotFoundException($"No audit entry names case {caseId}.");
        }
        var present = evidence.Where(f => files.Exists(f.Sha256)).ToList();
        var exported = await audit.AppendAsync(AuditKinds.Export, new ExtractionPayload(caseId, [.. present.Select(f => f.Sha256)], by, channel), cancellationToken);

        var log = await audit.ReadAllAsync(cancellationToken);
        var own = log.Where(e => BelongsTo(e, caseId)).Select(e => e.Sequence).ToHashSet();
        var run = log.Where(e => e.Sequence >= own.Min() && e.Sequence <= exported.Sequence).Select(e => BundleEntry.From(e, own.Contains(e.Sequence))).ToList();
        var covering = (await anchors.ListAsync(cancellationToken)).Where(a => a.Sequence >= run[0].Sequence && a.Sequence <= exported.Sequence).ToList();
        var manifest = new BundleManifest(caseId, exported.At, by, exported.Sequence, present);

        using var archive = new ZipArchive(zip, ZipArchiveMode.Create, leaveOpen: true);
        await WriteAsync(archive, CaseBundle.ManifestPath, JsonSerializer.SerializeToUtf8Bytes(manifest, CaseBundle.Json), cancellationToken);
        await WriteAsync(archive, CaseBundle.AuditPath, JsonSerializer.SerializeToUtf8Bytes(run, CaseBundle.Json), cancellationToken);
        await WriteAsync(archive, CaseBundle.AnchorsPath, JsonSerializer.SerializeToUtf8Bytes(covering, CaseBundle.Json), cancellationToken);
        await WriteAsync(archive, CaseBundle.ReadmePath, Encoding.UTF8.GetBytes(Readme(caseId, run[0].Sequence, exported.Sequence)), cancellationToken);
        foreach (var file in present)
        {
            await WriteAsync(archive, file.Path, await files.ReadAsync(file.Sha256, cancellationToken), cancellationToken);
        }
    }

    /// <summary>The case's files as its entries name them (evidence and the manifest), or null when no entry names the case.</summary>
    private static List<BundleFile>? CaseFiles(Guid caseId, IReadOnlyList<AuditEntry> log)
    {
        List<BundleFile>? found = null;
        foreach (var e in log.Where(e => BelongsTo(e, caseId)))
        {
            found ??= [];
            using var json = JsonDocument.Parse(e.PayloadJson);
            var root = json.RootElement;
            if (e.Kind == AuditKinds.EvidenceStored && root.TryGetProperty("sha256", out var sha) && root.TryGetProperty("kind", out var kind) && root.TryGetProperty("contentType", out var type))
            {
                found.Add(File(sha.GetString()!, kind.GetString()!, type.GetString()!));
            }
            else if (e.Kind == AuditKinds.ViolationConfirmed && root.TryGetProperty("manifestSha256", out var manifest) && manifest.GetString() is { } manifestSha)
            {
                found.Add(File(manifestSha, "manifest", "application/json"));
            }
        }
        return found?.DistinctBy(f => f.Sha256).ToList();
    }

    private static BundleFile File(string sha256, string kind, string contentType) =>
        new($"{CaseBundle.EvidenceFolder}{sha256}{(contentType == "application/json" ? ".json" : contentType == "image/jpeg" ? ".jpg" : "")}", sha256, kind, contentType);

    /// <summary>An entry is the case's when its payload names the case, or (retention) lists it among purged cases.</summary>
    private static bool BelongsTo(AuditEntry e, Guid caseId)
    {
        var id = caseId.ToString("D");
        if (!e.PayloadJson.Contains(id, StringComparison.OrdinalIgnoreCase))
        {
            return false; // most entries: no parse needed
        }
        try
        {
            using var json = JsonDocument.Parse(e.PayloadJson);
            var root = json.RootElement;
            return root.ValueKind == JsonValueKind.Object
                && ((root.TryGetProperty("caseId", out var c) && c.ValueKind == JsonValueKind.String && string.Equals(c.GetString(), id, StringComparison.OrdinalIgnoreCase))
                    || (root.TryGetProperty("caseIds", out var ids) && ids.ValueKind == JsonValueKind.Array
                        && ids.EnumerateArray().Any(i => string.Equals(i.GetString(), id, StringComparison.OrdinalIgnoreCase))));
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static async Task WriteAsync(ZipArchive archive, string path, byte[] content, CancellationToken cancellationToken)
    {
        var entry = archive.CreateEntry(path, CompressionLevel.Optimal);
        await using var stream = await entry.OpenAsync(cancellationToken);
        await stream.WriteAsync(content, cancellationToken);
    }

    private static string Readme(Guid caseId, long first, long last) => $"""
        OneThing.Edge case export: case {caseId}

        evidence/      the case's evidence files and manifest, each named by its SHA-256
        manifest.json  which file is which; the audit entry of this export (entry {last})
        audit.json     audit entries {first} to {last}: the case's with their payloads, the others in between
                       with only their hashes (they concern other people)
        anchors.json   chain heads the gateway handed to the traffic system within that run

        To verify, on any machine with onething-edge (no database needed):

            onething-edge verify-audit --bundle this.zip
            onething-edge verify-audit --bundle this.zip --anchors https://<traffic system>/api/v1/audit-anchors/<site>/<instance>

        The first checks that every file matches its SHA-256 and is one the export entry lists, and that the entries
        link into one unbroken run matching the anchors in the zip. The second also checks the run against the anchors
        the traffic system holds, which a person who altered the gateway's database could not have changed: only that
        check proves the entries were not rewritten. Entries after the last anchor are proven once a later anchor
        covers them. Exit code 0 means verified, 1 names the first file or entry that is not as recorded.

        """;
}
