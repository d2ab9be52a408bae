using System.IO.Compression;
using System.Text.Json;
using OneThing.Edge.Domain.Audit;
using OneThing.Edge.Domain.Cases;
using OneThing.Edge.Domain.Evidence;
using OneThing.Edge.Domain.Outbox;
using OneThing.Edge.Domain.Violations;
using OneThing.Edge.Storage.Audit;
using OneThing.Edge.Storage.Cases;
using OneThing.Edge.Storage.Tests.Outbox;
using OneThing.Edge.Storage.Violations;
using OneThing.Edge.TestKit;
using Xunit;

namespace OneThing.Edge.Storage.Tests.Audit;

/// <summary>The audit log across a case's life on a real SQLite file: retention, anchors, uploads and exports.</summary>
public sealed class AuditTrailTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    private sealed record Recorded(OutboxFixture F, AuditLog Log, Violation Violation, string[] Files, string Manifest);

    /// <summary>A camera case recorded as the pipeline records it: two real photos, the manifest, its audit entries.</summary>
    private static async Task<Recorded> RecordCaseAsync()
    {
        var f = await OutboxFixture.CreateAsync();
        var log = new AuditLog(f.Database, f.Time);
        var recorder = new CaseRecorder(f.Database, f.Files, f.Store, log, f.Time);
        var items = new List<EvidenceManifestItem>();
        foreach (var (kind, photo) in new[] { (EvidenceKinds.Overview, "ccpd_rpnet_demo_0.jpg"), (EvidenceKinds.Plate, "ccpd_rpnet_demo_2.jpg") })
        {
            items.Add(await recorder.StoreEvidenceAsync(kind, await File.ReadAllBytesAsync(TestPaths.Sample("plates", photo)), OutboxFixture.Start, "image/jpeg", "cam-1", "lane-1", null, None));
        }
        var violation = OutboxFixture.NewViolation(evidence: 0) with { Evidence = [.. items.Select(i => i.ToEvidenceItem())] };
        var manifest = new EvidenceManifest(violation.Id, items);
        Assert.True(await recorder.RecordAsync(violation, manifest, None));
        // The manifest is stored already: putting it again only names it.
        return new Recorded(f, log, violation, [.. items.Select(i => i.Sha256)], await f.Files.PutAsync(manifest.ToCanonicalJson(), None));
    }

    private static async Task DeliverAllAsync(OutboxFixture f)
    {
        while (await f.Outbox.ClaimDueAsync(100, None) is { Count: > 0 } claimed)
        {
            await f.Outbox.MarkSentAsync([.. claimed.Select(m => new Delivery(m.Id, null))], None);
        }
    }

    private static async Task<Recorded> PurgedCaseAsync()
    {
        var c = await RecordCaseAsync();
        await c.F.Store.EndAsync(c.Violation.Id, CaseStep.Depart, OutboxFixture.Start, None);
        await DeliverAllAsync(c.F);
        c.F.Time.Advance(TimeSpan.FromDays(31));
        var result = await new ViolationRetention(c.F.Database, c.F.Files, c.Log).PurgeAsync(c.F.Time.GetUtcNow().AddDays(-30), None);
        Assert.Equal((1, 3), (result.Violations, result.EvidenceFiles)); // two photos and the manifest
        return c;
    }

    private static async Task TamperAsync(SqliteDatabase database, string sql)
    {
        await using var connection = await database.OpenAsync(None);
        await using var command = connection.CreateCommand();
        command.CommandText = "DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete; " + sql;
        await command.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task A_purge_records_the_cases_and_files_it_removes_so_the_log_still_verifies()
    {
        var c = await PurgedCaseAsync();

        Assert.All([.. c.Files, c.Manifest], sha => Assert.False(c.F.Files.Exists(sha)));
        var purge = (await c.Log.ReadAllAsync(None))[^1];
        Assert.Equal(AuditKinds.RetentionPurge, purge.Kind);
        var payload = JsonSerializer.Deserialize<RetentionPurgePayload>(purge.PayloadJson, JsonSerializerOptions.Web)!;
        Assert.Equal([c.Violation.Id], payload.CaseIds);
        Assert.Equal(c.Files.Append(c.Manifest).Order(StringComparer.Ordinal), payload.Files);
        var report = await c.Log.VerifyAsync(c.F.Files, None);
        Assert.True(report.Ok, report.FirstFailure?.ToString());
    }

    [Fact]
    public async Task After_a_purge_an_edited_older_entry_is_still_named()
    {
        var c = await PurgedCaseAsync();
        await TamperAsync(c.F.Database, "UPDATE audit_log SET payload_json = replace(payload_json, 'lane-1', 'lane-2') WHERE seq = 1");

        var failure = (await c.Log.VerifyAsync(c.F.Files, None)).FirstFailure!;

        Assert.Equal((1L, AuditFailureReason.PayloadEdited), (failure.Sequence, failure.Reason));
    }

    [Fact]
    public async Task A_purge_that_removes_no_case_writes_no_entry()
    {
        var c = await RecordCaseAsync();
        var before = (await c.Log.ReadAllAsync(None)).Count;

        await new ViolationRetention(c.F.Database, c.F.Files, c.Log).PurgeAsync(c.F.Time.GetUtcNow().AddDays(-30), None);

        Assert.Equal(before, (await c.Log.ReadAllAsync(None)).Count);
    }

    [Fact]
    public async Task An_evidence_file_the_traffic_system_accepted_is_recorded_as_uploaded()
    {
        var c = await RecordCaseAsync();

        await DeliverAllAsync(c.F);

        var uploads = (await c.Log.ReadAllAsync(None)).Where(e => e.Kind == AuditKinds.EvidenceUploaded)
            .Select(e => JsonSerializer.Deserialize<ExtractionPayload>(e.PayloadJson, JsonSerializerOptions.Web)!).ToList();
        Assert.Equal(c.Files, uploads.SelectMany(u => u.Files));
        Assert.All(uploads, u => Assert.Equal((c.Violation.Id, ExtractionPayload.Gateway, ExtractionPayload.TrafficSystem), (u.CaseId!.Value, u.By, u.To)));
    }

    [Fact]
    public async Task The_head_is_anchored_and_queued_for_the_traffic_system_when_due_and_not_before()
    {
        var c = await RecordCaseAsync();
        var anchors = new AuditAnchors(c.F.Database, c.F.Time);
        var head = (await c.Log.HeadAsync(None))!;

        Assert.Null(await anchors.AnchorIfDueAsync("site-1", "gateway-a", everyEntries: 100, interval: TimeSpan.FromMinutes(15), None));
        var first = await anchors.AnchorIfDueAsync("site-1", "gateway-a", everyEntries: 3, interval: TimeSpan.FromMinutes(15), None);
        Assert.Equal((head.Sequence, head.EntryHash), (first!.Sequence, first.EntryHash));
        Assert.Null(await anchors.AnchorIfDueAsync("site-1", "gateway-a", 3, TimeSpan.FromMinutes(15), None));

        var queued = (await c.F.Outbox.ClaimDueAsync(100, None)).Single(m => m.Kind == OutboxKinds.AuditAnchor);
        Assert.Equal(first, OutboxPayload.Deserialize<AuditAnchor>(queued.Payload));

        await c.Log.AppendAsync(AuditKinds.EvidenceViewed, new { reportId = "r-1" }, None);
        Assert.Null(await anchors.AnchorIfDueAsync("site-1", "gateway-a", 3, TimeSpan.FromMinutes(15), None));
        c.F.Time.Advance(TimeSpan.FromMinutes(15));
        var second = await anchors.AnchorIfDueAsync("site-1", "gateway-a", 3, TimeSpan.FromMinutes(15), None);
        Assert.Equal(head.Sequence + 1, second!.Sequence);
        Assert.Equal([first, second], await anchors.ListAsync(None));
    }

    private static async Task<(Recorded Case, MemoryStream Zip)> ExportedAsync()
    {
        var c = await RecordCaseAsync();
        var anchors = new AuditAnchors(c.F.Database, c.F.Time);
        await anchors.AnchorIfDueAsync("site-1", "gateway-a", 1, TimeSpan.FromMinutes(15), None);
        // Another case in between: its entries travel with hashes only.
        await c.Log.AppendAsync(AuditKinds.ViolationConfirmed, new { caseId = Guid.NewGuid(), plate = "皖A99999" }, None);
        var zip = new MemoryStream();
        await new CaseExport(c.Log, anchors, c.F.Files).WriteAsync(c.Violation.Id, "officer-7", ExtractionPayload.CaseExport, zip, None);
        zip.Position = 0;
        return (c, zip);
    }

    [Fact]
    public async Task A_case_export_verifies_without_the_database_and_records_who_took_which_files()
    {
        var (c, zip) = await ExportedAsync();

        var report = await CaseBundle.VerifyAsync(zip, null, None);

        Assert.True(report.Ok, report.Failure);
        var export = (await c.Log.ReadAllAsync(None))[^1];
        Assert.Equal(AuditKinds.Export, export.Kind);
        var payload = JsonSerializer.Deserialize<ExtractionPayload>(export.PayloadJson, JsonSerializerOptions.Web)!;
        Assert.Equal((c.Violation.Id, "officer-7"), (payload.CaseId!.Value, payload.By));
        Assert.Equal(3, payload.Files.Count); // two photos and the manifest
        Assert.Superset(c.Files.ToHashSet(), payload.Files.ToHashSet());
        zip.Position = 0;
        using var archive = new ZipArchive(zip);
        var audit = JsonSerializer.Deserialize<List<BundleEntry>>(archive.GetEntry(CaseBundle.AuditPath)!.Open(), JsonSerializerOptions.Web)!;
        var confirmations = audit.Where(e => e.Kind == AuditKinds.ViolationConfirmed).ToList();
        Assert.Equal(2, confirmations.Count);
        Assert.Contains(c.Violation.Id.ToString(), confirmations[0].PayloadJson, StringComparison.Ordinal);
        Assert.Null(confirmations[1].PayloadJson); // the other case's plate stays home
    }

    [Fact]
    public async Task An_altered_file_in_a_case_export_is_named()
    {
        var (c, zip) = await ExportedAsync();
        var altered = await AlterAsync(zip, $"{CaseBundle.EvidenceFolder}{c.Files[1]}.jpg");

        var report = await CaseBundle.VerifyAsync(altered, null, None);

        Assert.False(report.Ok);
        Assert.StartsWith($"file {CaseBundle.EvidenceFolder}{c.Files[1]}.jpg", report.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_case_export_whose_entries_differ_from_the_traffic_systems_anchors_is_refused()
    {
        var (c, zip) = await ExportedAsync();
        var held = (await new AuditAnchors(c.F.Database, c.F.Time).ListAsync(None)).Select(a => a with { EntryHash = new string('e', 64) }).ToList();

        var report = await CaseBundle.VerifyAsync(zip, held, None);

        Assert.Contains($"entry {held[0].Sequence}: AnchorMismatch", report.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Exporting_a_case_the_log_does_not_know_is_refused_and_records_nothing()
    {
        var c = await RecordCaseAsync();
        var before = (await c.Log.ReadAllAsync(None)).Count;

        await Assert.ThrowsAsync<KeyNotFoundException>(() =>
            new CaseExport(c.Log, new AuditAnchors(c.F.Database, c.F.Time), c.F.Files).WriteAsync(Guid.NewGuid(), "officer-7", ExtractionPayload.CaseExport, new MemoryStream(), None));

        Assert.Equal(before, (await c.Log.ReadAllAsync(None)).Count);
    }

    /// <summary>The zip with one byte of <paramref name="path"/> flipped, everything else as it was.</summary>
    internal static async Task<MemoryStream> AlterAsync(Stream zip, string path)
    {
        var altered = new MemoryStream();
        using (var source = new ZipArchive(zip, ZipArchiveMode.Read, leaveOpen: true))
        using (var target = new ZipArchive(altered, ZipArchiveMode.Create, leaveOpen: true))
        {
            Assert.NotNull(source.GetEntry(path));
            foreach (var entry in source.Entries)
            {
                using var buffer = new MemoryStream();
                await using (var content = entry.Open())
                {
                    await content.CopyToAsync(buffer);
                }
                var bytes = buffer.ToArray();
                if (entry.FullName == path)
                {
                    bytes[bytes.Length / 2] ^= 0x01;
                }
                await using var output = target.CreateEntry(entry.FullName).Open();
                await output.WriteAsync(bytes);
            }
        }
        altered.Position = 0;
        return altered;
    }
}
