using MQTTnet;
using MQTTnet.Protocol;
using OneThing.Edge.Messaging;
using OneThing.Edge.Messaging.Security;
using OneThing.Edge.Storage;
using OneThing.Edge.TestKit;
using Xunit;

namespace OneThing.Edge.Host.Tests.Security;

/// <summary>The embedded broker with devices configured: logins, the ACL and the legitimate flows, on the real gateway.</summary>
public sealed class EmbeddedBrokerSecurityTests : IAsyncLifetime
{
    private GatewayHarness _gateway = null!;
    private static readonly byte[] Frame = File.ReadAllBytes(TestPaths.Sample("scenes", "compound_4cars_xue1.jpg"));

    public async Task InitializeAsync() => _gateway = await GatewayHarness.StartAsync(new GatewaySettings().WithDevices());

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    private int Port => _gateway.Settings.MqttPort;
    private TopicContract Topics => _gateway.Settings.Topics;
    private BrokerRefusals Refusals => _gateway.Get<BrokerRefusals>();

    [Fact]
    public void The_device_policy_replaces_the_open_one() =>
        Assert.IsType<DeviceAccessPolicy>(_gateway.Get<OneThing.Edge.Messaging.Transport.IBrokerAccessPolicy>());

    [Fact]
    public async Task Anonymous_unknown_and_wrong_password_logins_are_refused_and_counted()
    {
        Assert.Equal(MqttClientConnectResultCode.NotAuthorized, await DeviceLogins.ConnectResultAsync(Port, "anon", null, null));
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, await DeviceLogins.ConnectResultAsync(Port, "c1", "cam-1", "wrong"));
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, await DeviceLogins.ConnectResultAsync(Port, "c2", "cam-9", DeviceLogins.PasswordOf("cam-9")));
        Assert.Equal(MqttClientConnectResultCode.Success, await DeviceLogins.ConnectResultAsync(Port, "c3", "cam-1", DeviceLogins.PasswordOf("cam-1")));

        Assert.Equal(1, Refusals.Count(RefusalKind.Connect, "anonymous"));
        Assert.Equal(1, Refusals.Count(RefusalKind.Connect, "bad-password"));
        Assert.Equal(1, Refusals.Count(RefusalKind.Connect, "unknown-user"));

        // The operator sees them on /metrics. The meter's name is process-wide, so tests running beside this one
        // (other wrong passwords) may add to the exported count: at least this one.
        using var http = new HttpClient { BaseAddress = new Uri(_gateway.Settings.HttpUrl) };
        var metrics = await Eventually.ReturnsAsync(
            () => http.GetStringAsync(new Uri("/metrics", UriKind.Relative)),
            m => m.Contains("onething_edge_broker_refusals{", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "refusals on /metrics");
        Assert.Contains(metrics.Split('\n'), line => line.StartsWith("onething_edge_broker_refusals{", StringComparison.Ordinal)
            && line.Contains("reason=\"bad-password\"", StringComparison.Ordinal) && double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture) >= 1);
    }

    [Fact]
    public async Task No_device_may_take_the_gateways_client_id_or_another_devices()
    {
        await using var pda1 = await DeviceLogins.LoginAsync(Port, "pda-1", clientId: "pda-1-handset");

        Assert.Equal(MqttClientConnectResultCode.ClientIdentifierNotValid, await DeviceLogins.ConnectResultAsync(Port, "onething-gateway", "cam-1", DeviceLogins.PasswordOf("cam-1")));
        Assert.Equal(MqttClientConnectResultCode.ClientIdentifierNotValid, await DeviceLogins.ConnectResultAsync(Port, "pda-1-handset", "pda-2", DeviceLogins.PasswordOf("pda-2")));
        Assert.True(pda1.Client.IsConnected);
    }

    [Fact]
    public async Task A_camera_publishes_its_own_frames_but_not_another_cameras_or_a_pdas_topic()
    {
        await using var cam1 = await DeviceLogins.LoginAsync(Port, "cam-1");
        var counters = _gateway.Get<IngressCounters>();

        var own = await cam1.PublishAsync(Topics.Frames("cam-1"), Frame);
        var otherCamera = await cam1.PublishAsync(Topics.Frames("cam-2"), Frame);
        var pdaReport = await cam1.PublishAsync(Topics.Reports("pda-1"), Reports.Json(Guid.NewGuid().ToString()));

        Assert.True(own.IsSuccess, own.ReasonCode.ToString());
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, otherCamera.ReasonCode);
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, pdaReport.ReasonCode);
        Assert.Equal(1, counters.Camera("cam-1").Received);
        Assert.Equal(0, counters.Camera("cam-2").Received);
        Assert.Equal(0, await _gateway.Get<SqliteDatabase>().CountAsync("pda_reports"));
        Assert.Equal(2, Refusals.Count(RefusalKind.Publish));
    }

    [Fact]
    public async Task A_pda_reports_and_reads_its_own_receipts_but_not_another_pdas()
    {
        await using var pda1 = await DeviceLogins.LoginAsync(Port, "pda-1");
        await pda1.SubscribeAsync(Topics.Receipts("pda-1"));
        await pda1.SubscribeAsync(Topics.Tasks("pda-1"));

        var other = await Assert.ThrowsAsync<InvalidOperationException>(() => pda1.SubscribeAsync(Topics.Receipts("pda-2")));
        Assert.Contains("NotAuthorized", other.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<InvalidOperationException>(() => pda1.SubscribeAsync("onething/test-site/pda/+/receipts"));

        var reportId = Guid.NewGuid().ToString();
        var puback = await pda1.PublishAsync(Topics.Reports("pda-1"), Reports.Json(reportId));
        Assert.True(puback.IsSuccess, puback.ReasonCode.ToString());
        var receipt = await pda1.WaitForJsonAsync(Topics.Receipts("pda-1"), r => r.GetProperty("reportId").GetString() == reportId);
        Assert.Equal("accepted", receipt.GetProperty("status").GetString());

        var asAnother = await pda1.PublishAsync(Topics.Reports("pda-2"), Reports.Json(Guid.NewGuid().ToString()));
        var forgedReceipt = await pda1.PublishAsync(Topics.Receipts("pda-1"), "{}"u8.ToArray());
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, asAnother.ReasonCode);
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, forgedReceipt.ReasonCode);
        Assert.Equal(1, await _gateway.Get<SqliteDatabase>().CountAsync("pda_reports"));
        Assert.Equal(2, Refusals.Count(RefusalKind.Subscribe));
    }

    [Fact]
    public async Task An_observer_reads_the_gateway_status_but_cannot_forge_it()
    {
        await using var observer = await DeviceLogins.LoginAsync(Port, "observer");
        await observer.SubscribeAsync(Topics.GatewayStatus);
        var status = await observer.WaitForJsonAsync(Topics.GatewayStatus);
        Assert.Equal("online", status.GetProperty("state").GetString());

        var forged = await observer.PublishAsync(Topics.GatewayStatus, "{\"state\":\"offline\"}"u8.ToArray());
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, forged.ReasonCode);
        await Assert.ThrowsAsync<InvalidOperationException>(() => observer.SubscribeAsync(Topics.Frames("cam-1")));
    }

    [Fact]
    public async Task A_will_message_on_a_gateway_topic_is_not_delivered()
    {
        await using var observer = await DeviceLogins.LoginAsync(Port, "observer");
        await observer.SubscribeAsync(Topics.GatewayStatus);
        await observer.WaitForJsonAsync(Topics.GatewayStatus);

        var cam = new MqttClientFactory().CreateMqttClient();
        await cam.ConnectAsync(new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", Port)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            .WithClientId("cam-1-will")
            .WithCredentials("cam-1", DeviceLogins.PasswordOf("cam-1"))
            .WithWillTopic(Topics.GatewayStatus)
            .WithWillPayload("{\"state\":\"offline\"}"u8.ToArray())
            .Build());
        // Dropping the connection without DISCONNECT makes the broker publish the will.
        cam.Dispose();

        await Eventually.ReturnsAsync(() => Task.FromResult(Refusals.Count(RefusalKind.Publish)), n => n >= 1, what: "will refused");
        Assert.Single(observer.Received);
    }
}
