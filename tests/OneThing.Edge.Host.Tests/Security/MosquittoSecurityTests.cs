using System.Diagnostics;
using MQTTnet;
using MQTTnet.Protocol;
using OneThing.Edge.Messaging;
using OneThing.Edge.Messaging.Transport;
using OneThing.Edge.Storage;
using OneThing.Edge.Storage.Reports;
using OneThing.Edge.TestKit;
using Xunit;

namespace OneThing.Edge.Host.Tests.Security;

/// <summary>
/// Mosquitto with the committed deploy/mosquitto/acl and a password file made by mosquitto_passwd, and the gateway
/// connected to it as the `gateway` user: the external-broker site exactly as docs/OPERATIONS.md sets it up.
/// </summary>
public sealed class MosquittoSecurityTests : IAsyncLifetime
{
    private static readonly byte[] Frame = File.ReadAllBytes(TestPaths.Sample("scenes", "compound_4cars_xue1.jpg"));
    private MosquittoBroker _mosquitto = null!;
    private GatewayHarness _gateway = null!;
    private int _webSocketPort;

    public async Task InitializeAsync()
    {
        var passwordFile = Path.Combine(TestPaths.NewTempDirectory("passwd"), "passwd");
        foreach (var username in DeviceLogins.Devices.Select(d => d.Username).Append("gateway"))
        {
            await PasswdAsync(File.Exists(passwordFile) ? ["-b", passwordFile, username, DeviceLogins.PasswordOf(username)] : ["-b", "-c", passwordFile, username, DeviceLogins.PasswordOf(username)]);
        }
        _webSocketPort = FreePort.Next();
        _mosquitto = await MosquittoBroker.StartAsync($"""
            {CommittedWebSocketListener(_webSocketPort)}
            allow_anonymous false
            password_file {passwordFile}
            acl_file {Path.Combine(TestPaths.RepoRoot, "deploy", "mosquitto", "acl")}
            """);
        var settings = new GatewaySettings().UseExternalBroker(_mosquitto);
        settings["OneThing:Mqtt:Username"] = "gateway";
        settings["OneThing:Mqtt:Password"] = DeviceLogins.PasswordOf("gateway");
        _gateway = await GatewayHarness.StartAsync(settings);
        await Eventually.ReturnsAsync(() => Task.FromResult(_gateway.Get<IGatewayBus>().IsConnected), c => c, what: "gateway logged in to mosquitto as `gateway`");
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _mosquitto.DisposeAsync();
    }

    private int Port => _mosquitto.Port;
    private TopicContract Topics => _gateway.Settings.Topics;

    /// <summary>The committed mosquitto.conf's websockets listener, on a free loopback port instead of its own.</summary>
    private static string CommittedWebSocketListener(int port)
    {
        var lines = File.ReadAllLines(Path.Combine(TestPaths.RepoRoot, "deploy", "mosquitto", "mosquitto.conf"));
        var protocol = Array.IndexOf(lines, "protocol websockets");
        Assert.True(protocol > 0 && lines[protocol - 1].StartsWith("listener ", StringComparison.Ordinal), "deploy/mosquitto/mosquitto.conf has no websockets listener");
        return $"listener {port} 127.0.0.1\nprotocol websockets";
    }

    private static async Task PasswdAsync(string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo("mosquitto_passwd", args) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, await process.StandardError.ReadToEndAsync());
    }

    [Fact]
    public async Task Anonymous_and_wrong_password_logins_are_refused()
    {
        // Mosquitto 2.0 answers MQTT 5 clients with NotAuthorized for all three (the embedded broker says
        // BadUserNameOrPassword for a wrong password); either way the client is out.
        Assert.Equal(MqttClientConnectResultCode.NotAuthorized, await DeviceLogins.ConnectResultAsync(Port, "anon", null, null));
        Assert.Equal(MqttClientConnectResultCode.NotAuthorized, await DeviceLogins.ConnectResultAsync(Port, "c1", "cam-1", "wrong"));
        Assert.Equal(MqttClientConnectResultCode.NotAuthorized, await DeviceLogins.ConnectResultAsync(Port, "c2", "cam-9", "whatever"));
        Assert.Equal(MqttClientConnectResultCode.Success, await DeviceLogins.ConnectResultAsync(Port, "c3", "cam-1", DeviceLogins.PasswordOf("cam-1")));
    }

    [Fact]
    public async Task A_camera_reaches_the_gateway_on_its_own_frames_topic_only()
    {
        await using var cam1 = await DeviceLogins.LoginAsync(Port, "cam-1");
        var counters = _gateway.Get<IngressCounters>();

        var otherCamera = await cam1.PublishAsync(Topics.Frames("cam-2"), Frame);
        var pdaReport = await cam1.PublishAsync(Topics.Reports("pda-1"), Reports.Json(Guid.NewGuid().ToString()));
        var own = await cam1.PublishAsync(Topics.Frames("cam-1"), Frame);

        // Mosquitto 2.0 answers a denied QoS 1 publish on MQTT 5 with PUBACK NotAuthorized and drops it.
        Assert.True(own.IsSuccess, own.ReasonCode.ToString());
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, otherCamera.ReasonCode);
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, pdaReport.ReasonCode);
        await Eventually.ReturnsAsync(() => Task.FromResult(counters.Camera("cam-1").Received), n => n == 1, what: "cam-1's own frame counted");
        // Same publisher, same subscriber: had the earlier publishes been delivered, they would have arrived first.
        Assert.Equal(0, counters.Camera("cam-2").Received);
        Assert.Equal(0, await _gateway.Get<SqliteDatabase>().CountAsync("pda_reports"));
        Assert.Equal(0, await _gateway.Get<SqliteDatabase>().CountAsync("pda_rejections"));
    }

    [Fact]
    public async Task A_pda_gets_its_own_receipt_but_never_another_pdas_and_cannot_forge_one()
    {
        await using var pda1 = await DeviceLogins.LoginAsync(Port, "pda-1");
        await using var pda2 = await DeviceLogins.LoginAsync(Port, "pda-2");
        await pda1.SubscribeAsync(Topics.Receipts("pda-1"));
        await pda2.SubscribeAsync(Topics.Receipts("pda-2"));

        // Mosquitto 2.0 grants these SUBACKs and applies the read ACL to every message it would deliver instead.
        await pda2.SubscribeAsync(Topics.Receipts("pda-1"));
        await pda2.SubscribeAsync("onething/+/pda/+/receipts");

        var forged = await pda2.PublishAsync(Topics.Receipts("pda-1"), "{\"reportId\":\"forged\",\"status\":\"accepted\"}"u8.ToArray());
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, forged.ReasonCode);
        var reportId = Guid.NewGuid().ToString();
        var puback = await pda1.PublishAsync(Topics.Reports("pda-1"), Reports.Json(reportId));
        Assert.True(puback.IsSuccess, puback.ReasonCode.ToString());
        var receipt = await pda1.WaitForJsonAsync(Topics.Receipts("pda-1"), r => r.GetProperty("reportId").GetString() == reportId);
        Assert.Equal("accepted", receipt.GetProperty("status").GetString());

        // pda-2's own receipt is published by the gateway after pda-1's, on the same connection: once it is here,
        // pda-1's receipt would have reached pda-2 too, had the ACL let it.
        var ownId = Guid.NewGuid().ToString();
        await pda2.PublishAsync(Topics.Reports("pda-2"), Reports.Json(ownId));
        await pda2.WaitForJsonAsync(Topics.Receipts("pda-2"), r => r.GetProperty("reportId").GetString() == ownId);
        Assert.All(pda2.Received, m => Assert.Equal(Topics.Receipts("pda-2"), m.Topic));
        Assert.DoesNotContain(pda1.Received, m => m.Payload.AsSpan().IndexOf("forged"u8) >= 0);
        Assert.Equal(2, await _gateway.Get<SqliteDatabase>().CountAsync("pda_reports"));
    }

    [Fact]
    public async Task A_pda_cannot_report_under_another_pdas_id()
    {
        await using var pda1 = await DeviceLogins.LoginAsync(Port, "pda-1");
        await pda1.SubscribeAsync(Topics.Receipts("pda-1"));

        var spoofed = await pda1.PublishAsync(Topics.Reports("pda-2"), Reports.Json(Guid.NewGuid().ToString()));
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, spoofed.ReasonCode);
        var reportId = Guid.NewGuid().ToString();
        await pda1.PublishAsync(Topics.Reports("pda-1"), Reports.Json(reportId));
        await pda1.WaitForJsonAsync(Topics.Receipts("pda-1"), r => r.GetProperty("reportId").GetString() == reportId);

        var stored = await _gateway.Get<PdaReportStore>().FindAsync(reportId, default);
        Assert.Equal("pda-1", stored!.DeviceId);
        Assert.Equal(1, await _gateway.Get<SqliteDatabase>().CountAsync("pda_reports"));
    }

    [Fact]
    public async Task A_cameras_and_an_observers_report_are_refused_by_the_committed_acl()
    {
        await using var cam1 = await DeviceLogins.LoginAsync(Port, "cam-1");
        await using var observer = await DeviceLogins.LoginAsync(Port, "observer");
        await using var pda1 = await DeviceLogins.LoginAsync(Port, "pda-1");
        await pda1.SubscribeAsync(Topics.Receipts("pda-1"));

        // Under their own names, as the old `pattern write onething/+/pda/%u/reports` let every account do.
        var fromCamera = await cam1.PublishAsync(Topics.Reports("cam-1"), Reports.Json(Guid.NewGuid().ToString()));
        var fromObserver = await observer.PublishAsync(Topics.Reports("observer"), Reports.Json(Guid.NewGuid().ToString()));
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, fromCamera.ReasonCode);
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, fromObserver.ReasonCode);

        var reportId = Guid.NewGuid().ToString();
        Assert.True((await pda1.PublishAsync(Topics.Reports("pda-1"), Reports.Json(reportId))).IsSuccess);
        await pda1.WaitForJsonAsync(Topics.Receipts("pda-1"), r => r.GetProperty("reportId").GetString() == reportId);
        Assert.Equal(1, await _gateway.Get<SqliteDatabase>().CountAsync("pda_reports"));
        Assert.Equal(0, await _gateway.Get<SqliteDatabase>().CountAsync("pda_rejections"));
    }

    [Fact]
    public async Task An_observer_reads_case_events_without_plates_or_officer_ids_and_no_tasks_or_receipts()
    {
        await using var observer = await DeviceLogins.LoginAsync(Port, "observer");
        await observer.SubscribeAsync(Topics.ViolationEvents);
        await observer.SubscribeAsync(Topics.Receipts("pda-1"));
        await observer.SubscribeAsync(Topics.Tasks("pda-1"));
        await using var pda1 = await DeviceLogins.LoginAsync(Port, "pda-1");
        await pda1.SubscribeAsync(Topics.Receipts("pda-1"));

        // An officer's report of a car no camera saw: its receipt, then a case of its own (a `confirmed` event).
        var reportId = Guid.NewGuid().ToString();
        await pda1.PublishAsync(Topics.Reports("pda-1"), Reports.Json(reportId, plate: "皖A195K9"));
        await pda1.WaitForJsonAsync(Topics.Receipts("pda-1"), r => r.GetProperty("reportId").GetString() == reportId);
        var confirmed = await observer.WaitForJsonAsync(Topics.ViolationEvents, e => e.GetProperty("event").GetString() == "confirmed");

        Assert.Equal(Guid.Parse(reportId), confirmed.GetProperty("violationId").GetGuid());
        Assert.All(observer.Received.Where(m => m.Topic == Topics.ViolationEvents), m =>
        {
            var text = System.Text.Encoding.UTF8.GetString(m.Payload);
            Assert.DoesNotContain("皖A195K9", text, StringComparison.Ordinal);
            Assert.DoesNotContain("officer-7", text, StringComparison.Ordinal);
        });
        Assert.True(confirmed.GetProperty("details").GetProperty("plateRead").GetBoolean());
        // The gateway published the receipt before the event: had the ACL let the observer read it, it would be here.
        Assert.All(observer.Received, m => Assert.Equal(Topics.ViolationEvents, m.Topic));
    }

    [Fact]
    public async Task A_pda_reports_over_websockets_and_the_committed_acl_still_refuses_a_camera_there()
    {
        var uri = $"ws://127.0.0.1:{_webSocketPort}/mqtt";
        await using var pda1 = await TestMqttClient.ConnectOverWebSocketAsync(uri, "pda-1-ws", "pda-1", DeviceLogins.PasswordOf("pda-1"));
        await using var cam1 = await TestMqttClient.ConnectOverWebSocketAsync(uri, "cam-1-ws", "cam-1", DeviceLogins.PasswordOf("cam-1"));
        await pda1.SubscribeAsync(Topics.Receipts("pda-1"));

        var fromCamera = await cam1.PublishAsync(Topics.Reports("cam-1"), Reports.Json(Guid.NewGuid().ToString()));
        var asAPda = await cam1.PublishAsync(Topics.Reports("pda-1"), Reports.Json(Guid.NewGuid().ToString()));
        var reportId = Guid.NewGuid().ToString();
        var puback = await pda1.PublishAsync(Topics.Reports("pda-1"), Reports.Json(reportId));

        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, fromCamera.ReasonCode);
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, asAPda.ReasonCode);
        Assert.True(puback.IsSuccess, puback.ReasonCode.ToString());
        var receipt = await pda1.WaitForJsonAsync(Topics.Receipts("pda-1"), r => r.GetProperty("reportId").GetString() == reportId);
        Assert.Equal("accepted", receipt.GetProperty("status").GetString());
        Assert.Equal(1, await _gateway.Get<SqliteDatabase>().CountAsync("pda_reports"));
        Assert.Equal(0, await _gateway.Get<SqliteDatabase>().CountAsync("pda_rejections"));
    }
}
