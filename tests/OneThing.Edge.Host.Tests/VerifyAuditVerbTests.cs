using Microsoft.Data.Sqlite;
using OneThing.Edge.Domain.Audit;
using OneThing.Edge.Host.Cli;
using OneThing.Edge.Storage;
using OneThing.Edge.Storage.Audit;
using OneThing.Edge.TestKit;
using Xunit;

namespace OneThing.Edge.Host.Tests;

/// <summary>`onething-edge verify-audit` as an investigator runs it, on a real data directory.</summary>
public sealed class VerifyAuditVerbTests
{
    private static async Task<(string Data, string EvidenceSha)> DataDirectoryWithCaseAsync()
    {
        var data = TestPaths.NewTempDirectory("audit-cli");
        var database = new SqliteDatabase(Path.Combine(data, "edge.db"));
        await database.MigrateAsync(default);
        var files = new FileStore(Path.Combine(data, "files"));
        var sha = await files.PutAsync(await File.ReadAllBytesAsync(TestPaths.Sample("plates", "ccpd_rpnet_demo_2.jpg")), default);
        var log = new AuditLog(database, TimeProvider.System);
        var caseId = Guid.NewGuid();
        await log.AppendAsync(AuditKinds.ViolationConfirmed, new { caseId, plate = "皖AT022C" }, default);
        await log.AppendAsync(AuditKinds.EvidenceStored, new EvidenceStoredPayload(caseId, "overview", sha, DateTimeOffset.UtcNow, "image/jpeg"), default);
        await log.AppendAsync(AuditKinds.Export, new { caseId }, default);
        return (data, sha);
    }

    private static async Task<GatewayProcess> VerifyAsync(string data)
    {
        var verify = GatewayProcess.Start("verify-audit", ["--data", data]);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await verify.WaitForExitAsync(timeout.Token);
        return verify;
    }

    [Fact]
    public async Task An_untouched_log_verifies()
    {
        var (data, _) = await DataDirectoryWithCaseAsync();
        await using var verify = await VerifyAsync(data);
        Assert.Equal(0, verify.ExitCode);
        Assert.Contains("OK: 3 entries", verify.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_edited_evidence_file_is_reported_with_its_entry_and_a_non_zero_exit()
    {
        var (data, sha) = await DataDirectoryWithCaseAsync();
        var path = new FileStore(Path.Combine(data, "files")).PathOf(sha);
        var bytes = await File.ReadAllBytesAsync(path);
        bytes[^10] ^= 0xFF;
        await File.WriteAllBytesAsync(path, bytes);

        await using var verify = await VerifyAsync(data);
        Assert.Equal(1, verify.ExitCode);
        Assert.Contains("TAMPERED: entry 2", verify.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_deleted_entry_is_reported()
    {
        var (data, _) = await DataDirectoryWithCaseAsync();
        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(data, "edge.db")};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            // An attacker with file access drops the append-only triggers first.
            command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'";
            var triggers = new List<string>();
            await using (var reader = await command.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    triggers.Add(reader.GetString(0));
                }
            }
            foreach (var trigger in triggers)
            {
                command.CommandText = $"DROP TRIGGER \"{trigger}\"";
                await command.ExecuteNonQueryAsync();
            }
            command.CommandText = "DELETE FROM audit_log WHERE seq = 2";
            Assert.Equal(1, await command.ExecuteNonQueryAsync());
        }

        await using var verify = await VerifyAsync(data);
        Assert.Equal(1, verify.ExitCode);
        Assert.Contains("TAMPERED", verify.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_log_whose_files_retention_purged_verifies_and_an_older_edit_is_still_named()
    {
        var (data, sha) = await DataDirectoryWithCaseAsync();
        var database = new SqliteDatabase(Path.Combine(data, "edge.db"));
        var log = new AuditLog(database, TimeProvider.System);
        // What ViolationRetention writes before it deletes a purged case's files.
        await log.AppendAsync(AuditKinds.RetentionPurge, new RetentionPurgePayload("retention", DateTimeOffset.UtcNow, [Guid.NewGuid()], [sha]), default);
        File.Delete(new FileStore(Path.Combine(data, "files")).PathOf(sha));
        SqliteConnection.ClearAllPools();

        await using (var purged = await VerifyAsync(data))
        {
            Assert.True(purged.ExitCode == 0, purged.Output);
            Assert.Contains("OK: 4 entries", purged.Output, StringComparison.Ordinal);
        }

        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(data, "edge.db")};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET payload_json = replace(payload_json, 'caseId', 'caseID') WHERE seq = 1";
            Assert.Equal(1, await command.ExecuteNonQueryAsync());
        }
        await using var edited = await VerifyAsync(data);
        Assert.Equal(VerifyAuditVerb.Tampered, edited.ExitCode);
        Assert.Contains("TAMPERED: entry 1: PayloadEdited", edited.Output, StringComparison.Ordinal);
    }
}
