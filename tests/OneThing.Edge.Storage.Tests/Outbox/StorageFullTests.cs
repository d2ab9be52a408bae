using System.Globalization;
using Microsoft.Data.Sqlite;
using OneThing.Edge.Domain;
using OneThing.Edge.TestKit;
using Xunit;

namespace OneThing.Edge.Storage.Tests.Outbox;

/// <summary>
/// SQLite itself runs out of room (SQLITE_FULL, here from PRAGMA max_page_count at the file's current size, on a full
/// disk from the file system) halfway through recording a case: the whole transaction rolls back.
/// </summary>
public sealed class StorageFullTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task A_case_that_does_not_fit_leaves_no_violation_evidence_or_outbox_row_and_is_recorded_once_there_is_room()
    {
        var f = await OutboxFixture.CreateAsync();
        // The violation row fits in its table's first page; its 26 evidence rows and 27 outbox messages do not.
        var violation = OutboxFixture.NewViolation(evidence: 26);
        var pages = long.Parse(await PragmaAsync(f.Database, "page_count"), CultureInfo.InvariantCulture);
        await PragmaAsync(f.Database, $"max_page_count = {pages}");

        var full = await Assert.ThrowsAsync<StorageFullException>(() => f.Store.RecordAsync(violation, None));
        Assert.Equal(13, Assert.IsType<SqliteException>(full.InnerException).SqliteErrorCode);
        Assert.Contains(f.Database.Path, full.Message, StringComparison.Ordinal);
        Assert.Null(await f.Store.GetAsync(violation.Id, None));
        Assert.Empty(await f.Outbox.ListAsync(violation.Id, None));
        Assert.Equal(0, await f.Database.CountAsync("violation_evidence"));
        Assert.Equal("ok", await PragmaAsync(f.Database, "integrity_check"));

        await PragmaAsync(f.Database, "max_page_count = 1073741823");
        Assert.True(await f.Store.RecordAsync(violation, None));
        Assert.Equal(27, (await f.Outbox.ListAsync(violation.Id, None)).Count);
        Assert.Equal(26, (await f.Store.GetAsync(violation.Id, None))!.Violation.Evidence.Count);
    }

    /// <summary>
    /// PRAGMA max_page_count holds for a connection, not the file. The store's connections come from the pool, and the
    /// test runs one statement at a time, so the pool's only idle connection (this one) serves the store next.
    /// </summary>
    private static async Task<string> PragmaAsync(SqliteDatabase database, string pragma)
    {
        await using var connection = await database.OpenAsync(None);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA " + pragma;
        return Convert.ToString(await command.ExecuteScalarAsync(None), CultureInfo.InvariantCulture)!;
    }
}
