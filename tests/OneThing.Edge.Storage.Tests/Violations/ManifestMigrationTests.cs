using System.Text;
using OneThing.Edge.TestKit;
using Xunit;

namespace OneThing.Edge.Storage.Tests.Violations;

/// <summary>
/// Migration 011 on a gateway's database from before it: each case confirmed then gets its evidence manifest from the
/// `violation-confirmed` audit entry, the only place that named it, so retention can delete the file with the case.
/// </summary>
public sealed class ManifestMigrationTests
{
    private const string Prefix = "OneThing.Edge.Storage.Migrations.";
    private const string CaseWithManifest = "3f2a0c1e-0000-4000-8000-000000000001";
    private const string CaseWithout = "3f2a0c1e-0000-4000-8000-000000000002";

    [Fact]
    public async Task A_database_from_before_011_gets_each_confirmed_cases_manifest_from_its_audit_entry()
    {
        var database = new SqliteDatabase(Path.Combine(TestPaths.NewTempDirectory("onething-migration"), "edge.db"));
        await using (var connection = await database.OpenAsync(CancellationToken.None))
        {
            await using var command = connection.CreateCommand();
            command.CommandText = SchemaBefore("011") + $$"""
                INSERT INTO violations (id, site_id, lane_id, source, plate_confidence, first_seen_at, confirmed_at, state, updated_at)
                VALUES ('{{CaseWithManifest}}', 's', 'l', 'camera', 0.9, 't', 't', 'Confirmed', 't'),
                       ('{{CaseWithout}}', 's', 'l', 'camera', 0.9, 't', 't', 'Confirmed', 't');
                INSERT INTO audit_log (kind, at, payload_json, payload_sha256, prev_hash, entry_hash)
                VALUES ('violation-confirmed', 't', '{"caseId":"{{CaseWithManifest}}","manifestSha256":"abc123"}', 'x', 'x', 'x'),
                       ('evidence-stored', 't', '{"caseId":"{{CaseWithout}}","manifestSha256":"not-a-confirmation"}', 'x', 'x', 'x');
                """;
            await command.ExecuteNonQueryAsync();
        }

        await database.MigrateAsync(CancellationToken.None);

        Assert.Equal("abc123", await ManifestOfAsync(database, CaseWithManifest));
        Assert.Null(await ManifestOfAsync(database, CaseWithout));
    }

    /// <summary>The embedded migrations before <paramref name="first"/>, recorded as applied, as an older gateway left them.</summary>
    private static string SchemaBefore(string first)
    {
        var assembly = typeof(SqliteDatabase).Assembly;
        var sql = new StringBuilder("CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL);\n");
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            var name = resource[Prefix.Length..];
            if (string.CompareOrdinal(name, first) >= 0)
            {
                break;
            }
            using var reader = new StreamReader(assembly.GetManifestResourceStream(resource)!);
            sql.Append(reader.ReadToEnd()).Append($"\nINSERT INTO schema_migrations VALUES ('{name}', 't');\n");
        }
        return sql.ToString();
    }

    private static async Task<string?> ManifestOfAsync(SqliteDatabase database, string caseId)
    {
        await using var connection = await database.OpenAsync(CancellationToken.None);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT manifest_sha256 FROM violations WHERE id = $id";
        command.Parameters.AddWithValue("$id", caseId);
        return await command.ExecuteScalarAsync() as string;
    }
}
