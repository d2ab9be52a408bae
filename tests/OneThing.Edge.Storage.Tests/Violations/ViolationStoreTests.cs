using Xunit;
using OneThing.Edge.Domain.Cases;
using OneThing.Edge.Domain.Evidence;
using OneThing.Edge.Domain.Outbox;
using OneThing.Edge.Domain.Violations;
using OneThing.Edge.Storage.Audit;
using OneThing.Edge.Storage.Cases;
using OneThing.Edge.Storage.Tests.Outbox;
using OneThing.Edge.Storage.Violations;

namespace OneThing.Edge.Storage.Tests.Violations;

public sealed class ViolationStoreTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task A_violation_recorded_in_a_failed_caller_transaction_leaves_no_trace()
    {
        var f = await OutboxFixture.CreateAsync();
        var violation = OutboxFixture.NewViolation();

        await Assert.ThrowsAsync<InvalidOperationException>(() => f.Database.InTransactionAsync<int>(async (connection, transaction) =>
        {
            await f.Store.RecordAsync(connection, transaction, violation, None);
            throw new InvalidOperationException("audit entry failed");
        }, None));

        Assert.Null(await f.Store.GetAsync(violation.Id, None));
        Assert.Empty(await f.Outbox.ListAsync(violation.Id, None));
    }

    [Fact]
    public async Task An_open_case_is_found_by_plate_and_lane_within_the_window()
    {
        var f = await OutboxFixture.CreateAsync();
        var violation = OutboxFixture.NewViolation(plate: "皖A53J96", lane: "lane-2");
        await f.Store.RecordAsync(violation, None);

        var found = await f.Store.FindOpenAsync("皖A53J96", "lane-2", OutboxFixture.Start.AddMinutes(-30), None);
        Assert.Equal(violation.Id, found?.Violation.Id);
        Assert.Null(await f.Store.FindOpenAsync("皖A53J96", "lane-1", OutboxFixture.Start.AddMinutes(-30), None));
        Assert.Null(await f.Store.FindOpenAsync("皖A53J96", "lane-2", OutboxFixture.Start.AddMinutes(1), None));

        await f.Store.EndAsync(violation.Id, CaseStep.Depart, OutboxFixture.Start, None);
        Assert.Null(await f.Store.FindOpenAsync("皖A53J96", "lane-2", OutboxFixture.Start.AddMinutes(-30), None));
    }

    [Fact]
    public async Task Merged_evidence_is_queued_after_what_is_already_queued()
    {
        var f = await OutboxFixture.CreateAsync();
        var violation = OutboxFixture.NewViolation(evidence: 1);
        await f.Store.RecordAsync(violation, None);
        var photo = new EvidenceItem(EvidenceKinds.PdaPhoto, new string('f', 64), OutboxFixture.Start.AddMinutes(2), "image/jpeg");

        await f.Database.InTransactionAsync(async (connection, transaction) =>
        {
            await f.Store.AddEvidenceAsync(connection, transaction, violation.Id, [photo], None);
            return 0;
        }, None);

        var stored = await f.Store.GetAsync(violation.Id, None);
        Assert.Equal(photo, stored!.Violation.Evidence[^1]);
        var entries = await f.Outbox.ListAsync(violation.Id, None);
        Assert.Equal([0, 1, 2], entries.Select(e => e.Sequence));
        Assert.Equal(photo, OutboxPayload.Deserialize<EvidenceItem>((await ClaimAllInOrderAsync(f))[^1].Payload));
    }

    [Fact]
    public async Task Retention_forgets_finished_cases_and_their_unreferenced_files_but_keeps_open_ones()
    {
        var f = await OutboxFixture.CreateAsync();
        var sha = await f.Files.PutAsync("overview"u8.ToArray(), None);
        var evidence = new EvidenceItem(EvidenceKinds.Overview, sha, OutboxFixture.Start, "image/jpeg");
        var finished = OutboxFixture.NewViolation(evidence: 0) with { Evidence = [evidence] };
        var open = OutboxFixture.NewViolation(evidence: 0);
        await f.Store.RecordAsync(finished, None);
        await f.Store.RecordAsync(open, None);
        await f.Store.EndAsync(finished.Id, CaseStep.Depart, OutboxFixture.Start, None);
        await ClaimAllInOrderAsync(f);

        f.Time.Advance(TimeSpan.FromDays(31));
        var result = await new ViolationRetention(f.Database, f.Files, new AuditLog(f.Database, f.Time)).PurgeAsync(f.Time.GetUtcNow().AddDays(-30), None);

        Assert.Equal(1, result.Violations);
        Assert.Equal(1, result.EvidenceFiles);
        Assert.Equal(4, result.OutboxMessages);
        Assert.Null(await f.Store.GetAsync(finished.Id, None));
        Assert.False(f.Files.Exists(sha));
        Assert.NotNull(await f.Store.GetAsync(open.Id, None));
    }

    [Fact]
    public async Task A_redacted_copy_is_kept_beside_its_original_and_retention_deletes_both()
    {
        var f = await OutboxFixture.CreateAsync();
        var original = await f.Files.PutAsync("overview as taken"u8.ToArray(), None);
        var copy = await f.Files.PutAsync("overview, faces pixelated"u8.ToArray(), None);
        var evidence = new EvidenceItem(EvidenceKinds.Overview, original, OutboxFixture.Start, "image/jpeg", copy);
        var finished = OutboxFixture.NewViolation(evidence: 0) with { Evidence = [evidence] };
        await f.Store.RecordAsync(finished, None);

        Assert.Equal(evidence, Assert.Single((await f.Store.GetAsync(finished.Id, None))!.Violation.Evidence));
        await f.Store.EndAsync(finished.Id, CaseStep.Depart, OutboxFixture.Start, None);
        var upload = OutboxPayload.Deserialize<EvidenceItem>((await ClaimAllInOrderAsync(f)).Single(m => m.Kind == OutboxKinds.Evidence).Payload);
        Assert.Equal(copy, upload.SharedSha256);

        f.Time.Advance(TimeSpan.FromDays(31));
        var audit = new AuditLog(f.Database, f.Time);
        var result = await new ViolationRetention(f.Database, f.Files, audit).PurgeAsync(f.Time.GetUtcNow().AddDays(-30), None);

        Assert.Equal(2, result.EvidenceFiles);
        Assert.False(f.Files.Exists(original));
        Assert.False(f.Files.Exists(copy));
        // Both files are listed as purged, so the verifier takes neither as tampering.
        Assert.Null((await audit.VerifyAsync(f.Files, None)).FirstFailure);
    }

    [Fact]
    public async Task Retention_deletes_a_recorded_cases_evidence_manifest_with_its_evidence()
    {
        var f = await OutboxFixture.CreateAsync();
        var audit = new AuditLog(f.Database, f.Time);
        var recorder = new CaseRecorder(f.Database, f.Files, f.Store, audit, f.Time);
        var item = await recorder.StoreEvidenceAsync(EvidenceKinds.Overview, "overview"u8.ToArray(), OutboxFixture.Start, "image/jpeg", "cam-1", "lane-1", null, None);
        var finished = OutboxFixture.NewViolation(evidence: 0) with { Evidence = [new EvidenceItem(item.Kind, item.Sha256, item.CapturedAt, item.ContentType)] };
        Assert.True(await recorder.RecordAsync(finished, new EvidenceManifest(finished.Id, [item]), None));
        Assert.Equal(2, StoredFiles(f).Count); // the overview and the case's manifest
        await f.Store.EndAsync(finished.Id, CaseStep.Depart, OutboxFixture.Start, None);
        await ClaimAllInOrderAsync(f);

        f.Time.Advance(TimeSpan.FromDays(31));
        var result = await new ViolationRetention(f.Database, f.Files, audit).PurgeAsync(f.Time.GetUtcNow().AddDays(-30), None);

        Assert.Equal(1, result.Violations);
        Assert.Equal(2, result.EvidenceFiles);
        Assert.Empty(StoredFiles(f));
        Assert.Null((await audit.VerifyAsync(f.Files, None)).FirstFailure);
    }

    private static List<string> StoredFiles(OutboxFixture f) => Directory.EnumerateFiles(f.Files.Root, "*", SearchOption.AllDirectories).ToList();

    private static async Task<List<OutboxMessage>> ClaimAllInOrderAsync(OutboxFixture f)
    {
        var sent = new List<OutboxMessage>();
        while (await f.Outbox.ClaimDueAsync(100, None) is { Count: > 0 } claimed)
        {
            foreach (var message in claimed)
            {
                await f.Outbox.MarkSentAsync(message.Id, null, None);
                sent.Add(message);
            }
        }
        return sent;
    }
}
