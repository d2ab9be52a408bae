using OneThing.Edge.Domain.Audit;
using OneThing.Edge.Domain.Evidence;
using OneThing.Edge.Storage.Audit;
using OneThing.Edge.Storage.Cases;
using OneThing.Edge.Storage.Labels;
using OneThing.Edge.Storage.Tests.Outbox;
using Xunit;

namespace OneThing.Edge.Storage.Tests.Labels;

/// <summary>Operators' verdicts and missed violations: stored, replaced by a newer verdict, audited, bad ones refused.</summary>
public sealed class CaseLabelsTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task A_newer_verdict_replaces_the_older_one_and_each_is_in_the_audit_log()
    {
        var f = await OutboxFixture.CreateAsync();
        var audit = new AuditLog(f.Database, f.Time);
        var violation = OutboxFixture.NewViolation();
        await new CaseRecorder(f.Database, f.Files, f.Store, audit, f.Time).RecordAsync(violation, new EvidenceManifest(violation.Id, []), None);
        var labels = new CaseLabels(f.Database, audit, f.Time);

        Assert.True(await labels.LabelAsync(violation.Id, CaseVerdicts.Correct, null, "anna", None));
        f.Time.Advance(TimeSpan.FromMinutes(3));
        Assert.True(await labels.LabelAsync(violation.Id, CaseVerdicts.FalseAlarm, "wrong-plate", "ben", None));

        var label = Assert.Single((await labels.LabelsAsync(None)).Values);
        Assert.Equal((violation.Id, "false-alarm", "wrong-plate", "ben", OutboxFixture.Start.AddMinutes(3)), (label.ViolationId, label.Verdict, label.Reason, label.Operator, label.LabelledAt));
        var entries = (await audit.ReadAllAsync(None)).Where(e => e.Kind == AuditKinds.CaseLabelled).ToList();
        Assert.Equal(2, entries.Count);
        Assert.Contains("\"operator\":\"ben\"", entries[1].PayloadJson, StringComparison.Ordinal);
        Assert.True((await audit.VerifyAsync(f.Files, None)).Ok);
    }

    [Fact]
    public async Task Unknown_cases_and_bad_verdicts_write_nothing()
    {
        var f = await OutboxFixture.CreateAsync();
        var audit = new AuditLog(f.Database, f.Time);
        var labels = new CaseLabels(f.Database, audit, f.Time);

        Assert.False(await labels.LabelAsync(Guid.NewGuid(), CaseVerdicts.Correct, null, "anna", None));
        await Assert.ThrowsAsync<ArgumentException>(() => labels.LabelAsync(Guid.NewGuid(), "maybe", null, "anna", None));
        await Assert.ThrowsAsync<ArgumentException>(() => labels.LabelAsync(Guid.NewGuid(), CaseVerdicts.FalseAlarm, null, "anna", None));
        await Assert.ThrowsAsync<ArgumentException>(() => labels.AddMissedAsync("cam-1", "lane-1", OutboxFixture.Start, OutboxFixture.Start, "anna", null, None));

        Assert.Empty(await labels.LabelsAsync(None));
        Assert.Empty(await labels.MissedAsync(null, None));
        Assert.Empty(await audit.ReadAllAsync(None));
    }

    [Fact]
    public async Task Missed_violations_are_listed_by_lane_oldest_first()
    {
        var f = await OutboxFixture.CreateAsync();
        var labels = new CaseLabels(f.Database, new AuditLog(f.Database, f.Time), f.Time);
        var start = OutboxFixture.Start;

        await labels.AddMissedAsync("cam-1", "lane-1", start.AddHours(2), start.AddHours(3), "anna", "white van", None);
        await labels.AddMissedAsync("cam-1", "lane-1", start, start.AddMinutes(20), "anna", null, None);
        await labels.AddMissedAsync("cam-2", "lane-2", start, start.AddMinutes(5), "anna", null, None);

        var lane1 = await labels.MissedAsync("lane-1", None);
        Assert.Equal([start, start.AddHours(2)], lane1.Select(m => m.StartedAt));
        Assert.Equal("white van", lane1[1].Note);
        Assert.Equal(3, (await labels.MissedAsync(null, None)).Count);
    }
}
