using MQTTnet.Protocol;
using OneThing.Edge.Messaging;
using OneThing.Edge.Messaging.Security;
using OneThing.Edge.Messaging.Transport;
using OneThing.Edge.Storage;
using OneThing.Edge.Storage.Reports;
using OneThing.Edge.TestKit;
using Xunit;

namespace OneThing.Edge.Host.Tests.Security;

/// <summary>
/// The gateway checks the sender's role itself, so a broker ACL that is wrong does not let a camera file an officer
/// report. Mosquitto here runs with the ACL of before issue 14 (every account may write `pda/%u/reports`); the
/// gateway lists its devices (`Mqtt:Devices` with Role and Id: on an external broker only roles, no passwords).
/// </summary>
public sealed class GatewayRoleCheckTests : IAsyncLifetime
{
    private MosquittoBroker _mosquitto = null!;
    private GatewayHarness _gateway = null!;

    public async Task InitializeAsync()
    {
        var acl = Path.Combine(TestPaths.NewTempDirectory("acl"), "acl");
        await File.WriteAllTextAsync(acl, """
            pattern write onething/+/cameras/%u/frames
            pattern write onething/+/pda/%u/reports
            pattern read onething/+/pda/%u/receipts
            user gateway
            topic readwrite onething/#
            """);
        _mosquitto = await MosquittoBroker.StartAsync($"acl_file {acl}");
        var settings = new GatewaySettings().UseExternalBroker(_mosquitto);
        settings["OneThing:Mqtt:Username"] = "gateway";
        settings["OneThing:Mqtt:Devices:0:Role"] = "camera";
        settings["OneThing:Mqtt:Devices:0:Id"] = "cam-1";
        settings["OneThing:Mqtt:Devices:1:Role"] = "pda";
        settings["OneThing:Mqtt:Devices:1:Id"] = "pda-1";
        _gateway = await GatewayHarness.StartAsync(settings);
        await Eventually.ReturnsAsync(() => Task.FromResult(_gateway.Get<IGatewayBus>().IsConnected), c => c, what: "gateway connected to mosquitto");
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _mosquitto.DisposeAsync();
    }

    [Fact]
    public async Task A_report_a_lax_broker_let_through_from_a_camera_is_refused_by_the_gateway()
    {
        var topics = _gateway.Settings.Topics;
        await using var cam1 = await TestMqttClient.ConnectAsync(_mosquitto.Port, "cam-1-x", "cam-1", "any");
        await using var pda1 = await TestMqttClient.ConnectAsync(_mosquitto.Port, "pda-1-x", "pda-1", "any");
        await pda1.SubscribeAsync(topics.Receipts("pda-1"));

        var fromCamera = await cam1.PublishAsync(topics.Reports("cam-1"), Reports.Json(Guid.NewGuid().ToString()));
        Assert.True(fromCamera.IsSuccess, "the lax ACL lets the camera's report through to the gateway");
        await Eventually.ReturnsAsync(() => Task.FromResult(_gateway.Get<BrokerRefusals>().Count(RefusalKind.Publish, "role")), n => n == 1, what: "the gateway refused the camera's report");

        var reportId = Guid.NewGuid().ToString();
        await pda1.PublishAsync(topics.Reports("pda-1"), Reports.Json(reportId), MqttQualityOfServiceLevel.AtLeastOnce);
        await pda1.WaitForJsonAsync(topics.Receipts("pda-1"), r => r.GetProperty("reportId").GetString() == reportId);
        Assert.Equal(1, await _gateway.Get<SqliteDatabase>().CountAsync("pda_reports"));
        Assert.Equal("pda-1", (await _gateway.Get<PdaReportStore>().FindAsync(reportId, default))!.DeviceId);
        Assert.Equal(0, await _gateway.Get<SqliteDatabase>().CountAsync("pda_rejections"));
    }
}
