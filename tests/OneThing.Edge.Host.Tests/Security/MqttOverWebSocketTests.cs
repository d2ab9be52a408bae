using System.Globalization;
using MQTTnet;
using OneThing.Edge.Messaging.Security;
using OneThing.Edge.Messaging.Transport;
using OneThing.Edge.Storage;
using OneThing.Edge.TestKit;
using Xunit;

namespace OneThing.Edge.Host.Tests.Security;

/// <summary>
/// MQTT 5 over WebSocket at `/mqtt` on the gateway's HTTP listener (the officer app's transport): the same logins,
/// ACL, role checks and packet limit as the embedded broker's TCP listener.
/// </summary>
public sealed class MqttOverWebSocketTests : IAsyncLifetime
{
    // Small payload limits (a sample report is ~105 kB), so an oversized packet is quick to send: the packet limit is
    // 200,000 + 64 KiB.
    private const int PayloadLimit = 200_000;
    private GatewayHarness _gateway = null!;

    public async Task InitializeAsync()
    {
        var settings = new GatewaySettings().WithDevices();
        settings["OneThing:Mqtt:MaxFrameBytes"] = PayloadLimit.ToString(CultureInfo.InvariantCulture);
        settings["OneThing:Mqtt:MaxReportBytes"] = PayloadLimit.ToString(CultureInfo.InvariantCulture);
        _gateway = await GatewayHarness.StartAsync(settings);
    }

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    private string Uri => _gateway.Settings.HttpUrl.Replace("http://", "ws://", StringComparison.Ordinal) + "/mqtt";

    private Task<TestMqttClient> LoginAsync(string username, string? password = null) =>
        TestMqttClient.ConnectOverWebSocketAsync(Uri, $"{username}-ws-{Guid.NewGuid():N}"[..20], username, password ?? DeviceLogins.PasswordOf(username));

    [Fact]
    public async Task A_pda_reports_over_websocket_and_gets_its_accepted_receipt()
    {
        await using var pda = await LoginAsync("pda-1");
        var topics = _gateway.Settings.Topics;
        await pda.SubscribeAsync(topics.Receipts("pda-1"));

        var reportId = Guid.NewGuid().ToString();
        var puback = await pda.PublishAsync(topics.Reports("pda-1"), Reports.Json(reportId));

        Assert.True(puback.IsSuccess, puback.ReasonCode.ToString());
        var receipt = await pda.WaitForJsonAsync(topics.Receipts("pda-1"), r => r.GetProperty("reportId").GetString() == reportId);
        Assert.Equal("accepted", receipt.GetProperty("status").GetString());
        Assert.Equal(1, await _gateway.Get<SqliteDatabase>().CountAsync("pda_reports"));
    }

    [Fact]
    public async Task A_stopping_gateway_drops_its_websocket_clients_instead_of_waiting_for_them()
    {
        var gateway = await GatewayHarness.StartAsync(new GatewaySettings().WithDevices());
        var uri = gateway.Settings.HttpUrl.Replace("http://", "ws://", StringComparison.Ordinal) + "/mqtt";
        await using var pda = await TestMqttClient.ConnectOverWebSocketAsync(uri, "pda-1-ws-stop", "pda-1", DeviceLogins.PasswordOf("pda-1"));

        // A hang detector, not a speed check: with the app's connection left open the stop took the host's whole
        // 30 s shutdown timeout; dropped, it takes about a second.
        await gateway.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20));

        await Eventually.ReturnsAsync(() => Task.FromResult(pda.IsConnected), connected => !connected, what: "the app's connection closed by the stopping gateway");
    }

    [Fact]
    public async Task A_wrong_password_over_websocket_is_refused()
    {
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => LoginAsync("pda-1", "wrong"));

        Assert.Contains(nameof(MqttClientConnectResultCode.BadUserNameOrPassword), refused.Message, StringComparison.Ordinal);
        Assert.Equal(1, _gateway.Get<BrokerRefusals>().Count(RefusalKind.Connect, "bad-password"));
    }

    [Fact]
    public async Task A_cameras_credentials_cannot_publish_a_report_over_websocket()
    {
        await using var camera = await LoginAsync("cam-1");
        var topics = _gateway.Settings.Topics;

        var underItsOwnName = await camera.PublishAsync(topics.Reports("cam-1"), Reports.Json(Guid.NewGuid().ToString()));
        var asAPda = await camera.PublishAsync(topics.Reports("pda-1"), Reports.Json(Guid.NewGuid().ToString()));

        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, underItsOwnName.ReasonCode);
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, asAPda.ReasonCode);
        Assert.Equal(0, await _gateway.Get<SqliteDatabase>().CountAsync("pda_reports"));
        Assert.Equal(0, await _gateway.Get<SqliteDatabase>().CountAsync("pda_rejections"));
    }

    [Fact]
    public async Task A_packet_over_the_limit_closes_the_websocket_connection_and_the_next_login_works()
    {
        await using var pda = await LoginAsync("pda-1");
        var topics = _gateway.Settings.Topics;

        var oversized = Reports.Json(Guid.NewGuid().ToString(), photo: new byte[3 * PayloadLimit]);
        await Assert.ThrowsAnyAsync<Exception>(() => pda.PublishAsync(topics.Reports("pda-1"), oversized));

        await Eventually.ReturnsAsync(() => Task.FromResult(pda.Client.IsConnected), connected => !connected, what: "the oversized packet's connection closed");
        var refusals = _gateway.Get<BrokerRefusals>();
        await Eventually.ReturnsAsync(() => Task.FromResult(refusals.Count(RefusalKind.Publish, PacketRefusal.PacketTooLarge)), n => n == 1, what: "the refusal counted");
        Assert.Equal(0, await _gateway.Get<SqliteDatabase>().CountAsync("pda_reports"));
        await using var again = await LoginAsync("pda-1");
        Assert.True((await again.PublishAsync(topics.Reports("pda-1"), Reports.Json(Guid.NewGuid().ToString()))).IsSuccess);
    }
}
