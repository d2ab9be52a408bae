using OneThing.Edge.Domain.Evidence;
using OneThing.Edge.Storage.Audit;
using OneThing.Edge.Storage.Cases;
using OneThing.Edge.Storage.Tests.Outbox;
using Xunit;

namespace OneThing.Edge.Storage.Tests.Violations;

/// <summary>Footage asks, on every frame it keeps over budget, for one camera's cases around its window: not the whole table.</summary>
public sealed class CameraCasesTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task A_cameras_cases_are_those_of_that_camera_whose_stop_overlaps_the_window()
    {
        var f = await OutboxFixture.CreateAsync();
        var recorder = new CaseRecorder(f.Database, f.Files, f.Store, new AuditLog(f.Database, f.Time), f.Time);
        var t = OutboxFixture.Start;
        // Each car was first seen 3 minutes before its confirmation.
        var before = OutboxFixture.NewViolation(plate: "沪AF71011", confirmedAt: t.AddHours(-2));
        var acrossTheStart = OutboxFixture.NewViolation(plate: "沪AF71012", confirmedAt: t.AddMinutes(1));
        var inside = OutboxFixture.NewViolation(plate: "沪AF71013", confirmedAt: t.AddMinutes(30));
        var after = OutboxFixture.NewViolation(plate: "沪AF71014", confirmedAt: t.AddHours(3));
        var otherCamera = OutboxFixture.NewViolation(plate: "沪AF71015", confirmedAt: t.AddMinutes(30)) with { CameraId = "cam-2" };
        foreach (var v in new[] { before, acrossTheStart, inside, after, otherCamera })
        {
            Assert.True(await recorder.RecordAsync(v, new EvidenceManifest(v.Id, []), None));
        }

        var found = await recorder.CameraCasesAsync("cam-1", t, t.AddHours(1), None);

        Assert.Equal([acrossTheStart.Id, inside.Id], found.Select(c => c.Id));
    }

    [Fact]
    public async Task The_query_reads_the_cameras_window_by_index_not_the_whole_table()
    {
        var f = await OutboxFixture.CreateAsync();
        await using var connection = await f.Database.OpenAsync(None);
        await using var plan = connection.CreateCommand();
        plan.CommandText = "EXPLAIN QUERY PLAN SELECT id FROM violations WHERE camera_id = 'cam-1' AND confirmed_at >= '2026' AND first_seen_at <= '2027'";
        var steps = new List<string>();
        await using (var reader = await plan.ExecuteReaderAsync(None))
        {
            while (await reader.ReadAsync(None))
            {
                steps.Add(reader.GetString(3));
            }
        }

        Assert.Contains(steps, s => s.Contains("USING INDEX ix_violations_camera_confirmed (camera_id=? AND confirmed_at>?)", StringComparison.Ordinal));
    }
}
