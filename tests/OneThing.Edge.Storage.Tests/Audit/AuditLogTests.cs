using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using OneThing.Edge.Domain.Audit;
using OneThing.Edge.Storage.Audit;
using OneThing.Edge.TestKit;
using Xunit;

namespace OneThing.Edge.Storage.Tests.Audit;

public sealed class AuditLogTests : IAsyncLifetime
{
    private readonly string _dir = TestPaths.NewTempDirectory("audit");
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero));
    private SqliteDatabase _database = null!;
    private FileStore _files = null!;
    private AuditLog _log = null!;
    private string _evidenceSha = "";

    public async Task InitializeAsync()
    {
        _database = new SqliteDatabase(Path.Combine(_dir, "edge.db"));
        await _database.MigrateAsync(CancellationToken.None);
        _files = new FileStore(Path.Combine(_dir, "evidence"));
        _log = new AuditLog(_database, _clock);
    }

    public Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
        return Task.CompletedTask;
    }

    /// <summary>Five entries as a case produces them; entry 2 records a stored evidence file.</summary>
    private async Task WriteCaseAsync()
    {
        var caseId = Guid.Parse("0a6f2b1e-4c7d-4f51-9c43-1d2e3f405162");
        _evidenceSha = await _files.PutAsync(new byte[] { 0xFF, 0xD8, 1, 2, 3, 4 }, CancellationToken.None);
        await Append(AuditKinds.ViolationConfirmed, new { caseId, laneId = "lane-1", plate = "京A12345" });
        await Append(AuditKinds.EvidenceStored, new EvidenceStoredPayload(caseId, "overview", _evidenceSha, _clock.GetUtcNow(), "image/jpeg"));
        await Append(AuditKinds.CaseTransition, new { caseId, status = 201 });
        await Append(AuditKinds.EvidenceViewed, new { caseId, by = "operator" });
        await Append(AuditKinds.Export, new { caseId, by = "officer-7" });
    }

    private async Task<AuditEntry> Append<T>(string kind, T payload)
    {
        _clock.Advance(TimeSpan.FromSeconds(1));
        return await _log.AppendAsync(kind, payload, CancellationToken.None);
    }

    /// <summary>Runs SQL as someone with file access would: with the append-only triggers dropped first.</summary>
    private async Task TamperAsync(string sql)
    {
        await using var connection = await _database.OpenAsync(CancellationToken.None);
        await using var command = connection.CreateCommand();
        command.CommandText = "DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete; " + sql;
        await command.ExecuteNonQueryAsync();
    }

    private Task<AuditVerification> VerifyAsync() => _log.VerifyAsync(_files, CancellationToken.None);

    [Fact]
    public async Task An_untouched_log_verifies_with_every_entry_checked()
    {
        await WriteCaseAsync();

        var report = await VerifyAsync();

        Assert.True(report.Ok);
        Assert.Equal(5, report.EntriesChecked);
        var entries = await _log.ReadAllAsync(CancellationToken.None);
        Assert.Equal([1L, 2, 3, 4, 5], entries.Select(e => e.Sequence));
        Assert.Equal(_clock.GetUtcNow(), entries[^1].At);
        Assert.Contains($"\"sha256\":\"{_evidenceSha}\"", entries[1].PayloadJson, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_empty_log_verifies()
    {
        var report = await VerifyAsync();

        Assert.True(report.Ok);
        Assert.Equal(0, report.EntriesChecked);
    }

    [Fact]
    public async Task An_entry_appended_in_another_modules_transaction_commits_and_rolls_back_with_it()
    {
        await _database.InTransactionAsync(async (connection, transaction) =>
        {
            await using var other = connection.CreateCommand();
            other.Transaction = transaction;
            other.CommandText = "CREATE TABLE cases (id TEXT PRIMARY KEY); INSERT INTO cases VALUES ('c1');";
            await other.ExecuteNonQueryAsync();
            return await _log.AppendAsync(AuditKinds.ViolationConfirmed, new { caseId = "c1" }, connection, transaction, CancellationToken.None);
        }, CancellationToken.None);

        await Assert.ThrowsAsync<InvalidOperationException>(() => _database.InTransactionAsync<int>(async (connection, transaction) =>
        {
            await _log.AppendAsync(AuditKinds.CaseTransition, new { caseId = "c1" }, connection, transaction, CancellationToken.None);
            throw new InvalidOperationException("the forward failed to be recorded");
        }, CancellationToken.None));

        var next = await Append(AuditKinds.CaseTransition, new { caseId = "c1", attempt = 2 });
        Assert.Equal(2, next.Sequence);
        Assert.True((await VerifyAsync()).Ok);
    }

    [Fact]
    public async Task Concurrent_appends_form_one_unbroken_chain()
    {
        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() => _log.AppendAsync(AuditKinds.EvidenceViewed, new { reportId = $"r-{i}" }, CancellationToken.None))));

        var report = await VerifyAsync();

        Assert.True(report.Ok, report.FirstFailure?.ToString());
        Assert.Equal(20, report.EntriesChecked);
    }

    [Fact]
    public async Task The_table_refuses_updates_and_deletes()
    {
        await WriteCaseAsync();
        await using var connection = await _database.OpenAsync(CancellationToken.None);
        await using var command = connection.CreateCommand();

        command.CommandText = "UPDATE audit_log SET payload_json = '{}' WHERE seq = 1";
        Assert.Contains("append-only", (await Assert.ThrowsAsync<SqliteException>(() => command.ExecuteNonQueryAsync())).Message, StringComparison.Ordinal);
        command.CommandText = "DELETE FROM audit_log WHERE seq = 1";
        Assert.Contains("append-only", (await Assert.ThrowsAsync<SqliteException>(() => command.ExecuteNonQueryAsync())).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_kinds_are_refused()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _log.AppendAsync("deleted", new { }, CancellationToken.None));
    }

    [Fact]
    public async Task A_tampered_payload_is_detected_at_its_entry()
    {
        await WriteCaseAsync();
        await TamperAsync("UPDATE audit_log SET payload_json = replace(payload_json, '201', '500') WHERE seq = 3");

        var report = await VerifyAsync();

        Assert.False(report.Ok);
        Assert.Equal((3L, AuditFailureReason.PayloadEdited), (report.FirstFailure!.Sequence, report.FirstFailure.Reason));
        Assert.Equal(2, report.EntriesChecked);
    }

    [Fact]
    public async Task A_tampered_time_is_detected_at_its_entry()
    {
        await WriteCaseAsync();
        await TamperAsync("UPDATE audit_log SET at = '2026-11-23T07:00:00.0000000Z' WHERE seq = 4");

        var failure = (await VerifyAsync()).FirstFailure!;

        Assert.Equal((4L, AuditFailureReason.EntryEdited), (failure.Sequence, failure.Reason));
    }

    [Fact]
    public async Task A_deleted_entry_is_detected_with_its_sequence()
    {
        await WriteCaseAsync();
        await TamperAsync("DELETE FROM audit_log WHERE seq = 3");

        var failure = (await VerifyAsync()).FirstFailure!;

        Assert.Equal((3L, AuditFailureReason.Removed), (failure.Sequence, failure.Reason));
    }

    [Fact]
    public async Task Reordered_entries_are_detected_where_the_order_breaks()
    {
        await WriteCaseAsync();
        // Swap the contents of rows 3 and 4, keeping their sequence numbers.
        await TamperAsync("""
            UPDATE audit_log SET seq = -3 WHERE seq = 3;
            UPDATE audit_log SET seq = 3 WHERE seq = 4;
            UPDATE audit_log SET seq = 4 WHERE seq = -3;
            """);

        var failure = (await VerifyAsync()).FirstFailure!;

        Assert.Equal((3L, AuditFailureReason.Reordered), (failure.Sequence, failure.Reason));
    }

    [Fact]
    public async Task Entries_cut_off_the_end_are_caught_against_a_published_head()
    {
        await WriteCaseAsync();
        var head = await _log.HeadAsync(CancellationToken.None);
        Assert.Equal(5, head!.Sequence);
        Assert.True((await _log.VerifyAsync(_files, CancellationToken.None, head)).Ok);

        await TamperAsync("DELETE FROM audit_log WHERE seq >= 4");

        Assert.True((await VerifyAsync()).Ok); // what a chain alone cannot see
        var failure = (await _log.VerifyAsync(_files, CancellationToken.None, head)).FirstFailure!;
        Assert.Equal((4L, AuditFailureReason.Removed), (failure.Sequence, failure.Reason));
    }

    [Fact]
    public async Task An_edited_evidence_file_is_detected_at_the_entry_that_stored_it()
    {
        await WriteCaseAsync();
        await File.WriteAllBytesAsync(_files.PathOf(_evidenceSha), [0xFF, 0xD8, 9, 9, 9, 9]);

        var failure = (await VerifyAsync()).FirstFailure!;

        Assert.Equal((2L, AuditFailureReason.EvidenceMismatch), (failure.Sequence, failure.Reason));
    }

    [Fact]
    public async Task A_deleted_evidence_file_is_detected_at_the_entry_that_stored_it()
    {
        await WriteCaseAsync();
        File.Delete(_files.PathOf(_evidenceSha));

        var failure = (await VerifyAsync()).FirstFailure!;

        Assert.Equal((2L, AuditFailureReason.EvidenceMissing), (failure.Sequence, failure.Reason));
    }

    [Fact]
    public async Task An_evidence_entry_pointed_at_another_path_is_not_followed()
    {
        await WriteCaseAsync();
        await TamperAsync($"UPDATE audit_log SET payload_json = replace(payload_json, '{_evidenceSha}', '../../edge.db') WHERE seq = 2");

        var failure = (await VerifyAsync()).FirstFailure!;

        Assert.Equal((2L, AuditFailureReason.PayloadEdited), (failure.Sequence, failure.Reason));
    }
}
