using Microsoft.Data.Sqlite;

namespace OneThing.Edge.Storage;

/// <summary>Recognises "no space left" from the OS (ENOSPC) and from SQLite (SQLITE_FULL).</summary>
internal static class DiskFull
{
    // Linux errno; on Unix .NET puts the raw errno in IOException.HResult.
    private const int Enospc = 28;
    private const int SqliteFull = 13;

    public static bool Is(Exception e) => e is IOException { HResult: Enospc } or SqliteException { SqliteErrorCode: SqliteFull };
}
