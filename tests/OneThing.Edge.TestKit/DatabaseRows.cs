using OneThing.Edge.Storage;

namespace OneThing.Edge.TestKit;

/// <summary>Row counts in the gateway's SQLite file, for tests that check what was (or was not) stored.</summary>
public static class DatabaseRows
{
    public static async Task<long> CountAsync(this SqliteDatabase database, string table)
    {
        await using var connection = await database.OpenAsync(CancellationToken.None);
        await using var count = connection.CreateCommand();
        count.CommandText = $"SELECT COUNT(*) FROM \"{table}\"";
        return (long)(await count.ExecuteScalarAsync())!;
    }
}
