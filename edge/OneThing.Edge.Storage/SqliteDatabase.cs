using System.Reflection;
using Microsoft.Data.Sqlite;
using OneThing.Edge.Domain;

namespace OneThing.Edge.Storage;

/// <summary>
/// The gateway's one SQLite file (WAL, synchronous=FULL so a committed row survives power loss).
/// Schema changes are the embedded Migrations/NNN_name.sql scripts, applied in order at start, each once.
/// </summary>
public sealed class SqliteDatabase
{
    private readonly string _connectionString;

    public SqliteDatabase(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    public string Path { get; }

    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=30000;";
        await pragma.ExecuteNonQueryAsync(cancellationToken);
        return connection;
    }

    /// <summary>
    /// Runs <paramref name="work"/> in one IMMEDIATE transaction (the write lock is taken up front) and commits. When the
    /// disk is full the transaction is rolled back and <see cref="StorageFullException"/> says so.
    /// </summary>
    public async Task<T> InTransactionAsync<T>(Func<SqliteConnection, SqliteTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await OpenAsync(cancellationToken);
            await using var transaction = connection.BeginTransaction(deferred: false);
            var result = await work(connection, transaction);
            await transaction.CommitAsync(cancellationToken);
            return result;
        }
        catch (Exception e) when (DiskFull.Is(e))
        {
            throw new StorageFullException(Path, e);
        }
    }

    /// <summary>Applies the embedded migrations not yet recorded in schema_migrations. Returns how many ran.</summary>
    public async Task<int> MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using (var create = connection.CreateCommand())
        {
            create.CommandText = "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL);";
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        var applied = 0;
        foreach (var (name, sql) in EmbeddedMigrations())
        {
            await using var transaction = connection.BeginTransaction(deferred: false);
            await using var check = connection.CreateCommand();
            check.Transaction = transaction;
            check.CommandText = "SELECT COUNT(*) FROM schema_migrations WHERE name = $name";
            check.Parameters.AddWithValue("$name", name);
            if ((long)(await check.ExecuteScalarAsync(cancellationToken))! > 0)
            {
                continue;
            }

            await using var run = connection.CreateCommand();
            run.Transaction = transaction;
            run.CommandText = sql + "\nINSERT INTO schema_migrations (name, applied_at) VALUES ($name, $at);";
            run.Parameters.AddWithValue("$name", name);
            run.Parameters.AddWithValue("$at", SqliteTime.ToText(DateTimeOffset.UtcNow));
            await run.ExecuteNonQueryAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            applied++;
        }
        return applied;
    }

    private static IEnumerable<(string Name, string Sql)> EmbeddedMigrations()
    {
        var assembly = typeof(SqliteDatabase).Assembly;
        const string prefix = "OneThing.Edge.Storage.Migrations.";
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            yield return (resource[prefix.Length..], reader.ReadToEnd());
        }
    }
}
