using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using OneThing.Edge.Domain.Audit;
using OneThing.Edge.Domain.Evidence;
using OneThing.Edge.Domain.Reports;
using OneThing.Edge.Domain.Violations;
using OneThing.Edge.Storage.Audit;
using OneThing.Edge.Storage.Reports;
using OneThing.Edge.Storage.Violations;
using OneThing.Edge.TestKit;
using Xunit;

namespace OneThing.Edge.Storage.Tests.Reports;

/// <summary>Retention of officer reports, their photos and rejected payloads, on a real SQLite file and file store.</summary>
public sealed class ReportRetentionTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly DateTimeOffset Start = new(2026, 11, 1, 8, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Period = TimeSpan.FromDays(30);

    private readonly FakeTimeProvider _time = new(Start);
    private readonly SqliteDatabase _database;
    private readonly FileStore _files;
    private readonly PdaReportStore _reports;
    private readonly AuditLog _audit;

    public ReportRetentionTests()
    {
        var directory = TestPaths.NewTempDirectory("onething-report-retention");
        _database = new SqliteDatabase(Path.Combine(directory, "edge.db"));
        _files = new FileStore(Path.Combine(directory, "files"));
        _reports = new PdaReportStore(_database, _files);
        _audit = new AuditLog(_database, _time);
    }

    private async Task<string> ReportAsync(byte[] photo, DateTimeOffset receivedAt, Guid? violationId = null)
    {
        var id = Guid.NewGuid().ToString();
        await _reports.SaveAsync(new PdaReport(id, "pda-1", "officer-7", "沪AF71017", "lane-1", null, receivedAt.AddSeconds(-5), null, null, [new PdaPhoto("image/jpeg", photo)], receivedAt), None);
        if (violationId is { } v)
        {
            await _reports.LinkViolationAsync(id, v, None);
        }
        return id;
    }

    private static string Sha(byte[] data) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(data));

    [Fact]
    public async Task Old_reports_without_a_case_and_old_rejections_go_with_their_files_and_the_audit_log_names_them()
    {
        await _database.MigrateAsync(None);
        // An open case whose evidence is a photo an old report shares, and a report linked to it.
        var shared = "shared photo"u8.ToArray();
        var sharedSha = await _files.PutAsync(shared, None);
        var open = new Violation(Guid.NewGuid(), "site-1", "lane-1", ViolationSource.Camera, "cam-1", null, null, "沪AF71017", 0.9, Start, Start,
            [new EvidenceItem(EvidenceKinds.PdaPhoto, sharedSha, Start, "image/jpeg")]);
        await new ViolationStore(_database, _time).RecordAsync(open, None);

        var lonely = "photo of a report that never became a case"u8.ToArray();
        var ofPurgedCase = await ReportAsync(shared, Start, violationId: Guid.NewGuid()); // its case was purged
        var withoutCase = await ReportAsync(lonely, Start);
        var ofOpenCase = await ReportAsync("photo of the open case"u8.ToArray(), Start, open.Id);
        var recent = await ReportAsync("recent photo"u8.ToArray(), Start + Period);
        var rejectedPayload = "{\"plate\":\"ABC123\"}"u8.ToArray();
        await _reports.RecordRejectionAsync("pda-1", null, "bad-plate", "plate 'ABC123' is not a valid plate number", rejectedPayload, Start, None);
        await _reports.RecordRejectionAsync("pda-1", null, "invalid-json", "report is not valid JSON", "{"u8.ToArray(), Start + Period, None);

        _time.Advance(Period + TimeSpan.FromDays(1));
        var result = await new ReportRetention(_database, _files, _audit).PurgeAsync(_time.GetUtcNow() - Period, None);

        Assert.Equal((2, 1, 2), (result.Reports, result.Rejections, result.EvidenceFiles));
        Assert.Null(await _reports.FindAsync(ofPurgedCase, None));
        Assert.Null(await _reports.FindAsync(withoutCase, None));
        Assert.NotNull(await _reports.FindAsync(ofOpenCase, None));
        Assert.NotNull(await _reports.FindAsync(recent, None));
        Assert.Equal(1, await _database.CountAsync("pda_rejections"));
        Assert.Equal(2, await _database.CountAsync("pda_report_photos"));
        Assert.False(_files.Exists(Sha(lonely)));
        Assert.False(_files.Exists(Sha(rejectedPayload)));
        Assert.True(_files.Exists(sharedSha), "a photo that is still a case's evidence stays");

        var entry = Assert.Single(await _audit.ReadAllAsync(None), e => e.Kind == AuditKinds.RetentionPurge);
        var payload = JsonDocument.Parse(entry.PayloadJson).RootElement;
        Assert.Equal(new[] { Sha(lonely), Sha(rejectedPayload) }.Order(StringComparer.Ordinal), payload.GetProperty("files").EnumerateArray().Select(f => f.GetString()!));
        Assert.Equal(new[] { ofPurgedCase, withoutCase }.Order(StringComparer.Ordinal), payload.GetProperty("reportIds").EnumerateArray().Select(r => r.GetString()!));
        Assert.Single(payload.GetProperty("rejections").EnumerateArray());
    }

    [Fact]
    public async Task Nothing_old_enough_purges_nothing_and_writes_no_audit_entry()
    {
        await _database.MigrateAsync(None);
        var photo = "a photo"u8.ToArray();
        await ReportAsync(photo, Start);

        var result = await new ReportRetention(_database, _files, _audit).PurgeAsync(Start - TimeSpan.FromDays(1), None);

        Assert.Equal((0, 0, 0), (result.Reports, result.Rejections, result.EvidenceFiles));
        Assert.True(_files.Exists(Sha(photo)));
        Assert.Empty(await _audit.ReadAllAsync(None));
    }
}
