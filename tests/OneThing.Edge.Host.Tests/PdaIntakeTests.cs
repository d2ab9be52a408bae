using System.Text;
using OneThing.Edge.Storage;
using OneThing.Edge.Storage.Reports;
using OneThing.Edge.TestKit;
using MQTTnet;
using Xunit;

namespace OneThing.Edge.Host.Tests;

/// <summary>PDA reports end to end: a real MQTT client, the gateway, SQLite and photo files; on both broker modes.</summary>
public sealed class PdaIntakeTests : IAsyncLifetime
{
    private MosquittoBroker? _mosquitto;

    public async Task InitializeAsync() => _mosquitto = await MosquittoBroker.StartAsync();

    public async Task DisposeAsync() => await _mosquitto!.DisposeAsync();

    private async Task<GatewayHarness> StartGatewayAsync(string mode, Action<GatewaySettings>? configure = null)
    {
        var settings = new GatewaySettings();
        if (mode == "external")
        {
            settings.UseExternalBroker(_mosquitto!);
        }
        configure?.Invoke(settings);
        var gateway = await GatewayHarness.StartAsync(settings);
        if (mode == "external")
        {
            await Eventually.ReturnsAsync(() => Task.FromResult(gateway.Get<OneThing.Edge.Messaging.Transport.IGatewayBus>().IsConnected), c => c, what: "gateway connected to mosquitto");
        }
        return gateway;
    }

    private static async Task<TestMqttClient> PdaAsync(GatewayHarness gateway, string device = "pda-1")
    {
        var pda = await TestMqttClient.ConnectAsync(gateway.Settings.MqttPort, device + "-" + Guid.NewGuid().ToString("N")[..6]);
        await pda.SubscribeAsync(gateway.Settings.Topics.Receipts(device));
        return pda;
    }

    [Theory]
    [InlineData("embedded")]
    [InlineData("external")]
    public async Task An_accepted_report_is_committed_with_its_photos_and_gets_a_receipt(string mode)
    {
        await using var gateway = await StartGatewayAsync(mode);
        await using var pda = await PdaAsync(gateway);
        var reportId = Guid.NewGuid().ToString();

        var puback = await pda.PublishAsync(gateway.Settings.Topics.Reports("pda-1"), Reports.Json(reportId));
        Assert.True(puback.IsSuccess, puback.ReasonCode.ToString());
        if (mode == "embedded")
        {
            // The embedded broker acknowledges only after the commit: the row is there the moment PUBACK is.
            Assert.NotNull(await gateway.Get<PdaReportStore>().FindAsync(reportId, default));
        }

        var receipt = await pda.WaitForJsonAsync(gateway.Settings.Topics.Receipts("pda-1"));
        Assert.Equal(reportId, receipt.GetProperty("reportId").GetString());
        Assert.Equal("accepted", receipt.GetProperty("status").GetString());

        var stored = await gateway.Get<PdaReportStore>().FindAsync(reportId, default);
        Assert.NotNull(stored);
        Assert.Equal("皖A195K9", stored.Plate);
        Assert.Equal("pda-1", stored.DeviceId);
        var photo = Assert.Single(stored.PhotoSha256);
        Assert.Equal(Reports.PhotoJpeg, await File.ReadAllBytesAsync(gateway.Get<FileStore>().PathOf(photo)));
    }

    [Theory]
    [InlineData("embedded")]
    [InlineData("external")]
    public async Task A_repeated_report_id_gets_duplicate_and_no_second_row(string mode)
    {
        await using var gateway = await StartGatewayAsync(mode);
        await using var pda = await PdaAsync(gateway);
        var reportId = Guid.NewGuid().ToString();
        var topic = gateway.Settings.Topics.Reports("pda-1");

        await pda.PublishAsync(topic, Reports.Json(reportId));
        await pda.WaitForJsonAsync(gateway.Settings.Topics.Receipts("pda-1"), r => r.GetProperty("status").GetString() == "accepted");
        await pda.PublishAsync(topic, Reports.Json(reportId));
        var duplicate = await pda.WaitForJsonAsync(gateway.Settings.Topics.Receipts("pda-1"), r => r.GetProperty("status").GetString() == "duplicate");

        Assert.Equal(reportId, duplicate.GetProperty("reportId").GetString());
        Assert.Equal(1, await gateway.Get<SqliteDatabase>().CountAsync("pda_reports"));
        Assert.Equal(1, await gateway.Get<SqliteDatabase>().CountAsync("pda_report_photos"));
    }

    [Fact]
    public async Task A_phone_photo_with_data_after_its_end_marker_is_accepted_and_stored_as_sent()
    {
        await using var gateway = await StartGatewayAsync("embedded");
        await using var pda = await PdaAsync(gateway);
        var reportId = Guid.NewGuid().ToString();
        // As Huawei and Samsung phones write them: a metadata trailer after the JPEG's end-of-image marker.
        byte[] photo = [.. Reports.PhotoJpeg, .. "HWTRAILER"u8, 0xFF, 0xD8, 0x00, 0x01, 0xFF, 0xD9, .. new byte[64]];

        await pda.PublishAsync(gateway.Settings.Topics.Reports("pda-1"), Reports.Json(reportId, photo: photo));

        var receipt = await pda.WaitForJsonAsync(gateway.Settings.Topics.Receipts("pda-1"));
        Assert.Equal("accepted", receipt.GetProperty("status").GetString());
        var stored = await gateway.Get<PdaReportStore>().FindAsync(reportId, default);
        Assert.Equal(photo, await File.ReadAllBytesAsync(gateway.Get<FileStore>().PathOf(Assert.Single(stored!.PhotoSha256))));
    }

    public static TheoryData<string, string> BadReports() => new()
    {
        { "invalid-json", "{ this is not json" },
        { "bad-plate", "plate:ABC123" },
        { "photo-not-image", "photo:random" },
        { "unknown-lane", "lane:lane-zzz" },
        { "too-large", "huge" },
        { "bad-report-id", "id:not-a-uuid" },
    };

    [Theory]
    [MemberData(nameof(BadReports))]
    public async Task Bad_reports_are_rejected_with_a_code_kept_on_disk_and_the_gateway_keeps_working(string code, string what)
    {
        await using var gateway = await StartGatewayAsync("embedded", s => s["OneThing:Mqtt:MaxReportBytes"] = "300000");
        await using var pda = await PdaAsync(gateway);
        var reportId = Guid.NewGuid().ToString();
        var payload = what switch
        {
            "plate:ABC123" => Reports.Json(reportId, plate: "ABC123"),
            "photo:random" => Reports.Json(reportId, photo: Encoding.ASCII.GetBytes("definitely not a jpeg, just text")),
            "lane:lane-zzz" => Reports.Json(reportId, laneId: "lane-zzz"),
            "huge" => Reports.Json(reportId, photo: new byte[400_000]),
            "id:not-a-uuid" => Reports.Json("not-a-uuid"),
            _ => Encoding.UTF8.GetBytes(what),
        };

        var puback = await pda.PublishAsync(gateway.Settings.Topics.Reports("pda-1"), payload);
        Assert.True(puback.IsSuccess);
        var receipt = await pda.WaitForJsonAsync(gateway.Settings.Topics.Receipts("pda-1"));
        Assert.Equal("rejected", receipt.GetProperty("status").GetString());
        Assert.Equal(code, receipt.GetProperty("code").GetString());
        Assert.False(string.IsNullOrWhiteSpace(receipt.GetProperty("reason").GetString()));
        Assert.Equal(0, await gateway.Get<SqliteDatabase>().CountAsync("pda_reports"));
        Assert.Equal(1, await gateway.Get<SqliteDatabase>().CountAsync("pda_rejections"));

        // The gateway is still there for the next, good report.
        var good = Guid.NewGuid().ToString();
        await pda.PublishAsync(gateway.Settings.Topics.Reports("pda-1"), Reports.Json(good));
        await pda.WaitForJsonAsync(gateway.Settings.Topics.Receipts("pda-1"), r => r.TryGetProperty("reportId", out var id) && id.GetString() == good && r.GetProperty("status").GetString() == "accepted");
    }

    [Fact]
    public async Task The_gateway_publishes_a_retained_online_status()
    {
        await using var gateway = await StartGatewayAsync("embedded");
        await using var observer = await TestMqttClient.ConnectAsync(gateway.Settings.MqttPort, "observer");
        await observer.SubscribeAsync(gateway.Settings.Topics.GatewayStatus);
        var status = await observer.WaitForJsonAsync(gateway.Settings.Topics.GatewayStatus);
        Assert.Equal("online", status.GetProperty("state").GetString());
        Assert.Equal("test-site", status.GetProperty("site").GetString());
        Assert.True(observer.Received.Single().Retain);
    }

    [Fact]
    public async Task Reports_published_while_the_gateway_was_away_arrive_from_its_persistent_session()
    {
        var settings = new GatewaySettings().UseExternalBroker(_mosquitto!);
        var ids = Enumerable.Range(0, 5).Select(_ => Guid.NewGuid().ToString()).ToList();
        await using (var first = await GatewayHarness.StartAsync(settings))
        {
            await Eventually.ReturnsAsync(() => Task.FromResult(first.Get<OneThing.Edge.Messaging.Transport.IGatewayBus>().IsConnected), c => c);
        }

        await using (var pda = await TestMqttClient.ConnectAsync(_mosquitto!.Port, "pda-away"))
        {
            foreach (var id in ids)
            {
                Assert.True((await pda.PublishAsync(settings.Topics.Reports("pda-1"), Reports.Json(id))).IsSuccess);
            }
        }
        await _mosquitto.RestartAsync(); // the broker restarts too; its persistence keeps the queued reports

        await using var second = await GatewayHarness.StartAsync(settings);
        var store = second.Get<PdaReportStore>();
        await Eventually.ReturnsAsync(() => second.Get<SqliteDatabase>().CountAsync("pda_reports"), n => n == ids.Count, TimeSpan.FromSeconds(30), "queued reports stored; broker log:\n" + _mosquitto.ReadLog());
        foreach (var id in ids)
        {
            Assert.NotNull(await store.FindAsync(id, default));
        }
    }

    [Fact]
    public async Task After_a_broker_restart_the_gateway_reconnects_and_resubscribes()
    {
        await using var gateway = await StartGatewayAsync("external");
        var bus = gateway.Get<OneThing.Edge.Messaging.Transport.IGatewayBus>();
        await _mosquitto!.StopAsync();
        await Eventually.ReturnsAsync(() => Task.FromResult(bus.IsConnected), c => !c, TimeSpan.FromSeconds(30), "gateway noticed the broker is gone");
        await _mosquitto.RestartAsync();
        await Eventually.ReturnsAsync(() => Task.FromResult(bus.IsConnected), c => c, TimeSpan.FromSeconds(30), "gateway reconnected");

        await using var pda = await PdaAsync(gateway);
        var id = Guid.NewGuid().ToString();
        await pda.PublishAsync(gateway.Settings.Topics.Reports("pda-1"), Reports.Json(id));
        await pda.WaitForJsonAsync(gateway.Settings.Topics.Receipts("pda-1"), r => r.GetProperty("status").GetString() == "accepted", TimeSpan.FromSeconds(20));
    }
}
