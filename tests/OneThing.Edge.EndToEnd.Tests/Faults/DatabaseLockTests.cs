using System.Diagnostics;
using Microsoft.Data.Sqlite;
using MQTTnet.Protocol;
using OneThing.Edge.TestKit;
using Xunit;

namespace OneThing.Edge.EndToEnd.Tests.Faults;

/// <summary>
/// Another process holds the write lock on edge.db (a backup tool, an operator's sqlite3 shell): PDA reports that
/// arrive meanwhile are not acknowledged until they are stored, and are stored once when the lock goes.
/// </summary>
public sealed class DatabaseLockTests
{
    private static readonly TimeSpan LockHeld = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task Reports_are_acknowledged_only_after_the_lock_is_released_and_stored_once()
    {
        await using var gateway = await GatewayHarness.StartAsync();
        var data = gateway.Settings.DataDirectory;
        await using var pda = await TestMqttClient.ConnectAsync(gateway.Settings.MqttPort, "pda-lock");
        await pda.SubscribeAsync(gateway.Settings.Topics.Receipts("pda-1"));
        var first = Guid.NewGuid().ToString();
        Assert.True((await pda.PublishAsync(gateway.Settings.Topics.Reports("pda-1"), DistinctReports.Json(first, 0))).IsSuccess);
        await Eventually.ReturnsAsync(() => EdgeDatabase.ReportIdsAsync(data), s => s.Count == 1);
        // Case fusion of the first report ends by linking the report to its case: wait for that write, not a fixed time.
        await Eventually.ReturnsAsync(() => EdgeDatabase.ColumnAsync(data, "SELECT report_id FROM pda_reports WHERE violation_id IS NOT NULL"), s => s.Count == 1,
            TimeSpan.FromSeconds(30), "first report linked to its case");

        await using var locker = new SqliteConnection($"Data Source={Path.Combine(data, "edge.db")};Pooling=False");
        await locker.OpenAsync();
        await using (var begin = locker.CreateCommand())
        {
            begin.CommandText = "BEGIN EXCLUSIVE;";
            await begin.ExecuteNonQueryAsync();
        }
        var locked = Stopwatch.StartNew();

        var ids = Enumerable.Range(1, 5).Select(_ => Guid.NewGuid().ToString()).ToList();
        var publishes = ids.Select((id, i) => Task.Run(async () =>
        {
            var ack = await pda.PublishAsync(gateway.Settings.Topics.Reports("pda-1"), DistinctReports.Json(id, i + 1), MqttQualityOfServiceLevel.AtLeastOnce);
            return (Ack: ack, At: locked.Elapsed);
        })).ToList();

        await Task.Delay(LockHeld);
        Assert.All(publishes, p => Assert.False(p.IsCompleted, "a report was acknowledged while the database was locked"));
        Assert.DoesNotContain(pda.Received, m => ids.Any(id => System.Text.Encoding.UTF8.GetString(m.Payload).Contains(id, StringComparison.Ordinal)));
        Assert.Single(await EdgeDatabase.ReportIdsAsync(data));

        await using (var rollback = locker.CreateCommand())
        {
            rollback.CommandText = "ROLLBACK;";
            await rollback.ExecuteNonQueryAsync();
        }

        var results = await Task.WhenAll(publishes);
        Assert.All(results, r => Assert.True(r.Ack.IsSuccess, r.Ack.ReasonString));
        Assert.All(results, r => Assert.True(r.At >= LockHeld));
        var stored = await EdgeDatabase.ReportIdsAsync(data);
        Assert.Equal(6, stored.Count);
        Assert.Equal(ids.Append(first).Order(), stored.Order());
        foreach (var id in ids)
        {
            await pda.WaitForJsonAsync(gateway.Settings.Topics.Receipts("pda-1"), r => r.GetProperty("reportId").GetString() == id && r.GetProperty("status").GetString() == "accepted");
        }
    }
}
