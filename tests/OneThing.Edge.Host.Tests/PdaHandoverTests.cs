using Microsoft.Data.Sqlite;
using MQTTnet.Protocol;
using OneThing.Edge.Messaging;
using OneThing.Edge.Storage;
using OneThing.Edge.TestKit;
using Xunit;

namespace OneThing.Edge.Host.Tests;

/// <summary>
/// External broker (a real Mosquitto): a PDA report that cannot be stored yet (database locked by another process,
/// disk full) waits in the gateway's report queue, not in the MQTT client's message handler, so camera frames that
/// arrive after it keep being analysed. Once storage is back the report is stored once, receipted and acknowledged.
/// </summary>
public sealed class PdaHandoverTests : IAsyncLifetime
{
    private const string Camera = "cam-2"; // no lanes: its frames never write to the database
    private const string Device = "pda-1";
    private MosquittoBroker? _mosquitto;

    public async Task InitializeAsync() => _mosquitto = await MosquittoBroker.StartAsync();

    public async Task DisposeAsync() => await _mosquitto!.DisposeAsync();

    [Fact]
    public async Task Frames_keep_being_analysed_while_a_report_waits_for_a_locked_database_and_it_is_stored_once_after()
    {
        var settings = new GatewaySettings().UseExternalBroker(_mosquitto!);
        var reportId = Guid.NewGuid().ToString();
        await using var pda = await PdaAsync(settings);
        await using (var gateway = await StartAsync(settings))
        {
            await using var camera = await CameraFeed.StartAsync(_mosquitto!.Port, settings.Topics.Frames(Camera));
            var counters = gateway.Get<IngressCounters>();
            await FramesAnalysedAsync(counters, more: 1, "first frame analysed (models loaded)");

            await using (await DatabaseLock.TakeAsync(Path.Combine(settings.DataDirectory, "edge.db")))
            {
                Assert.True((await pda.PublishAsync(settings.Topics.Reports(Device), Reports.Json(reportId))).IsSuccess);
                await FramesAnalysedAsync(counters, more: 8, "frames published after the report analysed while the database is locked");
                Assert.DoesNotContain(pda.Received, m => System.Text.Encoding.UTF8.GetString(m.Payload).Contains(reportId, StringComparison.Ordinal));
            }

            await ReceiptAsync(pda, settings, reportId, "accepted");
            Assert.Equal(1, await RowsAsync(gateway, reportId));
            // Reports are taken in one at a time, each acknowledged before the next: this one's receipt means that
            // one's PUBACK is sent.
            var marker = Guid.NewGuid().ToString();
            Assert.True((await pda.PublishAsync(settings.Topics.Reports(Device), Reports.Json(marker))).IsSuccess);
            await ReceiptAsync(pda, settings, marker, "accepted");
        }

        // Acknowledged: the resumed session delivers the next report, and not that one again (it would come first).
        await using var again = await StartAsync(settings);
        var next = Guid.NewGuid().ToString();
        Assert.True((await pda.PublishAsync(settings.Topics.Reports(Device), Reports.Json(next))).IsSuccess);
        await ReceiptAsync(pda, settings, next, "accepted");
        Assert.DoesNotContain(pda.Received, m => System.Text.Encoding.UTF8.GetString(m.Payload) is var receipt
            && receipt.Contains(reportId, StringComparison.Ordinal) && receipt.Contains("duplicate", StringComparison.Ordinal));
        Assert.Equal(1, await RowsAsync(again, reportId));
    }

    [SmallDiskFact]
    public async Task Frames_keep_being_analysed_while_a_report_waits_for_disk_space_and_it_is_stored_once_after()
    {
        using var disk = SmallDisk.Mount(megabytes: 32);
        var settings = new GatewaySettings().UseExternalBroker(_mosquitto!);
        settings["OneThing:DataDirectory"] = Path.Combine(disk.Path, "data");
        var reportId = Guid.NewGuid().ToString();
        await using var pda = await PdaAsync(settings);
        await using var gateway = await StartAsync(settings);
        await using var camera = await CameraFeed.StartAsync(_mosquitto!.Port, settings.Topics.Frames(Camera));
        var counters = gateway.Get<IngressCounters>();
        await FramesAnalysedAsync(counters, more: 1, "first frame analysed (models loaded)");

        disk.Fill(leaveBytes: 16 * 1024); // less than the report's photo
        Assert.True((await pda.PublishAsync(settings.Topics.Reports(Device), Reports.Json(reportId))).IsSuccess);
        await Eventually.ReturnsAsync(() => Task.FromResult(counters.ReportOutcomes.GetValueOrDefault("not-stored:storage-full")), n => n >= 1, what: "report refused for lack of space");
        await FramesAnalysedAsync(counters, more: 8, "frames published after the report analysed while the disk is full");
        disk.Free();

        await ReceiptAsync(pda, settings, reportId, "accepted");
        Assert.Equal(1, await RowsAsync(gateway, reportId));
    }

    private static async Task<GatewayHarness> StartAsync(GatewaySettings settings)
    {
        var gateway = await GatewayHarness.StartAsync(settings);
        await Eventually.ReturnsAsync(() => Task.FromResult(gateway.Get<OneThing.Edge.Messaging.Transport.IGatewayBus>().IsConnected), c => c, what: "gateway connected to mosquitto");
        return gateway;
    }

    private async Task<TestMqttClient> PdaAsync(GatewaySettings settings)
    {
        var pda = await TestMqttClient.ConnectAsync(_mosquitto!.Port, "pda-" + Guid.NewGuid().ToString("N")[..6]);
        await pda.SubscribeAsync(settings.Topics.Receipts(Device));
        return pda;
    }

    /// <summary>
    /// Waits until <paramref name="more"/> frames more than now were received and analysed. Frames received before may
    /// still sit in the camera's queue (4 by default), so a count above that proves later frames got through.
    /// </summary>
    private static Task FramesAnalysedAsync(IngressCounters counters, int more, string what)
    {
        var counts = counters.Camera(Camera);
        var (received, processed) = (counts.Received, counts.Processed);
        return Eventually.ReturnsAsync(() => Task.FromResult((counts.Received - received, counts.Processed - processed)), d => d.Item1 >= more && d.Item2 >= more, TimeSpan.FromSeconds(20), what);
    }

    private static Task ReceiptAsync(TestMqttClient pda, GatewaySettings settings, string reportId, string status) =>
        pda.WaitForJsonAsync(settings.Topics.Receipts(Device), r => r.GetProperty("reportId").GetString() == reportId && r.GetProperty("status").GetString() == status, TimeSpan.FromSeconds(45));

    private static async Task<long> RowsAsync(GatewayHarness gateway, string reportId)
    {
        await using var connection = await gateway.Get<SqliteDatabase>().OpenAsync(CancellationToken.None);
        await using var count = connection.CreateCommand();
        count.CommandText = "SELECT COUNT(*) FROM pda_reports WHERE report_id = $id";
        count.Parameters.AddWithValue("$id", reportId);
        return (long)(await count.ExecuteScalarAsync())!;
    }

    /// <summary>Another process's write transaction on the gateway's database file (a backup tool, a sqlite3 shell).</summary>
    private sealed class DatabaseLock(SqliteConnection connection) : IAsyncDisposable
    {
        public static async Task<DatabaseLock> TakeAsync(string path)
        {
            var connection = new SqliteConnection($"Data Source={path};Pooling=False");
            await connection.OpenAsync();
            await using var begin = connection.CreateCommand();
            begin.CommandText = "BEGIN EXCLUSIVE;";
            await begin.ExecuteNonQueryAsync();
            return new DatabaseLock(connection);
        }

        public async ValueTask DisposeAsync()
        {
            await using (var rollback = connection.CreateCommand())
            {
                rollback.CommandText = "ROLLBACK;";
                await rollback.ExecuteNonQueryAsync();
            }
            await connection.DisposeAsync();
        }
    }

    /// <summary>A camera publishing a real scene at QoS 0, four times a second, until disposed.</summary>
    private sealed class CameraFeed : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly TestMqttClient _client;
        private readonly Task _loop;

        private CameraFeed(TestMqttClient client, string topic, byte[] frame)
        {
            _client = client;
            _loop = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    await _client.PublishAsync(topic, frame, MqttQualityOfServiceLevel.AtMostOnce, ("captured-at", DateTimeOffset.UtcNow.ToString("O")));
                    await Task.Delay(250, _stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
                }
            });
        }

        public static async Task<CameraFeed> StartAsync(int port, string topic) =>
            new(await TestMqttClient.ConnectAsync(port, "camera-" + Guid.NewGuid().ToString("N")[..6]),
                topic, await File.ReadAllBytesAsync(TestPaths.Sample("scenes", "compound_4cars_xue1.jpg")));

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _loop;
            await _client.DisposeAsync();
            _stop.Dispose();
        }
    }
}
