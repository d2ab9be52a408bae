using OneThing.Edge.Domain.Reports;
using OneThing.Edge.Storage.Reports;
using OneThing.Edge.TestKit;
using Xunit;

namespace OneThing.Edge.Storage.Tests.Reports;

/// <summary>Officers' report times in SQLite: stored in storage's one time format, and older rows still read.</summary>
public sealed class PdaReportStoreTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    private static async Task<(SqliteDatabase Database, PdaReportStore Store)> StoreAsync()
    {
        var directory = TestPaths.NewTempDirectory("onething-reports");
        var database = new SqliteDatabase(Path.Combine(directory, "edge.db"));
        await database.MigrateAsync(None);
        return (database, new PdaReportStore(database, new FileStore(Path.Combine(directory, "files"))));
    }

    private static async Task<string> ObservedTextAsync(SqliteDatabase database, string reportId)
    {
        await using var connection = await database.OpenAsync(None);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT observed_at FROM pda_reports WHERE report_id = $id";
        command.Parameters.AddWithValue("$id", reportId);
        return (string)(await command.ExecuteScalarAsync(None))!;
    }

    [Fact]
    public async Task A_report_time_is_stored_as_fixed_width_utc_text_and_reads_back_exactly()
    {
        var (database, store) = await StoreAsync();
        var reportId = Guid.NewGuid().ToString();
        var observed = new DateTimeOffset(2026, 11, 23, 15, 59, 30, 123, TimeSpan.FromHours(8)).AddTicks(4567);
        await store.SaveAsync(new PdaReport(reportId, "pda-1", "officer-7", "沪AF71017", "lane-1", null, observed, null, null, [], observed.AddSeconds(2)), None);

        Assert.Equal("2026-11-23T07:59:30.1234567Z", await ObservedTextAsync(database, reportId));
        Assert.Equal(observed, (await store.FindAsync(reportId, None))!.ObservedAt);
    }

    [Fact]
    public async Task A_report_stored_with_millisecond_times_before_still_reads()
    {
        var (database, store) = await StoreAsync();
        var reportId = Guid.NewGuid().ToString();
        await using (var connection = await database.OpenAsync(None))
        await using (var insert = connection.CreateCommand())
        {
            insert.CommandText = """
                INSERT INTO pda_reports (report_id, device_id, officer_id, plate, observed_at, received_at)
                VALUES ($id, 'pda-1', 'officer-7', '沪AF71017', '2026-11-23T07:59:30.123Z', '2026-11-23T07:59:32.000Z')
                """;
            insert.Parameters.AddWithValue("$id", reportId);
            await insert.ExecuteNonQueryAsync(None);
        }

        Assert.Equal(new DateTimeOffset(2026, 11, 23, 7, 59, 30, 123, TimeSpan.Zero), (await store.FindAsync(reportId, None))!.ObservedAt);
    }
}
