using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using OneThing.Edge.Domain.Cases;
using OneThing.Edge.Domain.Outbox;
using OneThing.Edge.EndToEnd.Tests.Faults;
using OneThing.Edge.Messaging;
using OneThing.Edge.Storage;
using OneThing.Edge.Storage.Audit;
using OneThing.Edge.Storage.Violations;
using OneThing.Edge.TestKit;
using OpenCvSharp;
using Xunit;

namespace OneThing.Edge.EndToEnd.Tests;

/// <summary>
/// The product's main job, as a site runs it: camera frames over MQTT, the real models, the violation engine, SQLite,
/// the outbox and real HTTP to the traffic-system simulator, which texts the owner.
/// </summary>
public sealed class FireLaneLoopTests : IAsyncLifetime
{
    /// <summary>Two cars (浙B2V9L7, 辽DU4356) standing on the road in front of a fence.</summary>
    public static readonly string Scene = TestPaths.Sample("scenes", "sidewalk_red_car_single_blue.png");
    private readonly DateTimeOffset _t0 = DateTimeOffset.UtcNow.AddMinutes(-4).AddMilliseconds(-DateTimeOffset.UtcNow.Millisecond);
    private SimulatorUnderTest? _simulator;

    private HttpClient Traffic => _simulator!.Http;

    public async Task InitializeAsync() => _simulator = await SimulatorUnderTest.StartAsync();

    public async Task DisposeAsync() => await _simulator!.DisposeAsync();

    private GatewaySettings Settings()
    {
        var settings = new GatewaySettings().WithRoadLane();
        settings["OneThing:TrafficSystem:BaseUrl"] = _simulator!.Url;
        settings["OneThing:TrafficSystem:Token"] = SimulatorUnderTest.Token;
        settings["OneThing:Clearance:WatchMinutes"] = "10";
        return settings;
    }

    private async Task<JsonElement[]> NoticesAsync() => (await Traffic.GetFromJsonAsync<JsonElement[]>("/api/v1/notices"))!;

    /// <summary>Publishes frames one at a time with capture times 1 s apart, each analysed before the next is sent.</summary>
    private static Task PlayAsync(GatewayHarness gateway, TestMqttClient camera, byte[] frame, DateTimeOffset from, int seconds) =>
        CameraPlayer.PlayAsync(gateway, camera, "cam-1", frame, from, seconds);

    /// <summary>The lane without cars: a flat grey frame of the scene's size.</summary>
    public static byte[] EmptyLane()
    {
        using var gray = new Mat(826, 1106, MatType.CV_8UC3, Scalar.All(90));
        return gray.ImEncode(".jpg");
    }

    [Fact]
    public async Task Parked_cars_are_cited_once_owners_get_an_SMS_and_the_case_clears_when_they_leave()
    {
        await using var gateway = await GatewayHarness.StartAsync(Settings());
        await using var camera = await TestMqttClient.ConnectAsync(gateway.Settings.MqttPort, "cam-1");
        await using var observer = await TestMqttClient.ConnectAsync(gateway.Settings.MqttPort, "observer");
        await observer.SubscribeAsync(gateway.Settings.Topics.ViolationEvents);
        var scene = await File.ReadAllBytesAsync(Scene);

        // 40 s of two cars standing in the lane: stopped after 5 s, confirmed 15 s later.
        await PlayAsync(gateway, camera, scene, _t0, 40);
        var notices = await Eventually.ReturnsAsync(NoticesAsync, n => n.Length >= 2, TimeSpan.FromSeconds(30), "two SMS notices");
        Assert.Equal(new[] { "浙B2V9L7", "辽DU4356" }, notices.Select(n => n.GetProperty("plate").GetString()!).Order(StringComparer.Ordinal).ToArray());
        Assert.All(notices, n => Assert.Matches(@"^1\d\d\*{4}\d{4}$", n.GetProperty("phone").GetString()));

        var store = gateway.Get<ViolationStore>();
        foreach (var notice in notices)
        {
            var stored = await store.GetAsync(Guid.Parse(notice.GetProperty("violationId").GetString()!), default);
            Assert.NotNull(stored);
            var frames = stored.Violation.Evidence.Where(e => e.Kind is "overview" or "confirmation").OrderBy(e => e.CapturedAt).ToList();
            Assert.Equal(2, frames.Count);
            Assert.True(frames[1].CapturedAt - frames[0].CapturedAt >= TimeSpan.FromSeconds(10), "evidence frames at least 10 s apart");
            Assert.Contains(stored.Violation.Evidence, e => e.Kind == "plate");
            Assert.All(stored.Violation.Evidence, e => Assert.True(gateway.Get<FileStore>().Exists(e.Sha256)));
        }
        await observer.WaitForJsonAsync(gateway.Settings.Topics.ViolationEvents, e => e.GetProperty("event").GetString() == "notified");

        // The cars stay another minute: no second citation (checked once they left, below).
        await PlayAsync(gateway, camera, scene, _t0.AddSeconds(40), 60);

        // They leave: after the tracker's inertia the cases are cleared as left-after-notice.
        await PlayAsync(gateway, camera, EmptyLane(), _t0.AddSeconds(100), 45);
        await observer.WaitForJsonAsync(gateway.Settings.Topics.ViolationEvents, e => e.GetProperty("event").GetString() == "cleared", TimeSpan.FromSeconds(30));
        foreach (var notice in notices)
        {
            var id = Guid.Parse(notice.GetProperty("violationId").GetString()!);
            await Eventually.ReturnsAsync(async () => (await store.GetAsync(id, default))!.State, s => s == CaseState.Cleared, TimeSpan.FromSeconds(30), "case cleared");
        }

        // The departures were recorded after anything the minute of standing made (one recording queue), and their
        // clearances sent: a second citation would be stored and texted by now.
        var data = gateway.Settings.DataDirectory;
        await Eventually.ReturnsAsync(() => EdgeDatabase.UnsentMessageStatesAsync(data), s => s.Count == 0, TimeSpan.FromSeconds(30), "outbox drained");
        Assert.Equal(2, (await EdgeDatabase.ColumnAsync(data, "SELECT id FROM outbox WHERE kind = 'clearance' AND state = 'Sent'")).Count);
        Assert.Equal(notices.Select(n => n.GetProperty("violationId").GetString()).Order(), (await EdgeDatabase.ViolationIdsAsync(data)).Order());
        Assert.Equal(2, (await NoticesAsync()).Length);

        var audit = await gateway.Get<AuditLog>().VerifyAsync(gateway.Get<FileStore>(), default);
        Assert.True(audit.Ok, audit.ToString());
        Assert.True(audit.EntriesChecked >= 2 + 2 * 3, "confirmation and evidence entries for both cases");
    }

    [Fact]
    public async Task A_camera_that_goes_dark_after_the_notice_still_gets_an_officer_sent()
    {
        var settings = Settings();
        settings["OneThing:Clearance:WatchMinutes"] = "0.5";
        settings["OneThing:Clearance:OfficerDevices:0"] = "pda-officer-1";
        await using var gateway = await GatewayHarness.StartAsync(settings);
        await using var camera = await TestMqttClient.ConnectAsync(gateway.Settings.MqttPort, "cam-1");
        await using var officer = await TestMqttClient.ConnectAsync(gateway.Settings.MqttPort, "pda-officer-1");
        var tasks = gateway.Settings.Topics.Tasks("pda-officer-1");
        await officer.SubscribeAsync(tasks);

        // 25 s of the two cars up to now, confirmed 20 s in; then the camera breaks. No frame ever reaches the
        // deadline (confirmation + 30 s of capture time): only the gateway's own clock can.
        await PlayAsync(gateway, camera, await File.ReadAllBytesAsync(Scene), DateTimeOffset.UtcNow.AddSeconds(-25), 25);
        var notices = await Eventually.ReturnsAsync(NoticesAsync, n => n.Length >= 2, TimeSpan.FromSeconds(30), "two SMS notices");

        var task = await officer.WaitForJsonAsync(tasks, t => t.GetProperty("reason").GetString() == "still parked after the notice", TimeSpan.FromSeconds(60));
        Assert.Contains(task.GetProperty("violationId").GetString(), notices.Select(n => n.GetProperty("violationId").GetString()));
        Assert.StartsWith("task-", task.GetProperty("taskId").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_car_whose_plate_has_no_owner_on_record_reaches_the_officer_within_seconds_and_only_that_officer_can_ticket_it()
    {
        // A traffic system that knows 浙B2V9L7's owner but not 辽DU4356's.
        await using var simulator = await SimulatorUnderTest.KnowingOneOwnerAsync();
        var settings = Settings();
        settings["OneThing:TrafficSystem:BaseUrl"] = simulator.Url;
        settings["OneThing:Clearance:OfficerDevices:0"] = "pda-officer-1"; // WatchMinutes stays 10: a task now is not the deadline's
        await using var gateway = await GatewayHarness.StartAsync(settings);
        await using var camera = await TestMqttClient.ConnectAsync(gateway.Settings.MqttPort, "cam-1");
        await using var officer = await TestMqttClient.ConnectAsync(gateway.Settings.MqttPort, "pda-officer-1");
        var tasks = gateway.Settings.Topics.Tasks("pda-officer-1");
        await officer.SubscribeAsync(tasks);

        await PlayAsync(gateway, camera, await File.ReadAllBytesAsync(Scene), _t0, 25); // confirmed 20 s in
        var confirmedBy = DateTimeOffset.UtcNow;

        var task = await officer.WaitForJsonAsync(tasks, t => t.GetProperty("plate").GetString() == "辽DU4356", TimeSpan.FromSeconds(20));
        Assert.Equal("no owner on record for the plate", task.GetProperty("reason").GetString());
        Assert.True(DateTimeOffset.UtcNow - confirmedBy < TimeSpan.FromSeconds(20), "the task came within seconds, not after WatchMinutes");
        var store = gateway.Get<ViolationStore>();
        var noOwner = await store.GetAsync(task.GetProperty("violationId").GetGuid(), default);
        Assert.Equal(CaseState.Escalated, noOwner!.State);
        Assert.Equal(NoticeStatuses.NoOwner, noOwner.NoticeStatus);

        // The car with an owner got its SMS and waits for the deadline: notified, no task.
        var traffic = simulator.Http;
        var sms = Assert.Single((await traffic.GetFromJsonAsync<JsonElement[]>("/api/v1/notices"))!, n => n.GetProperty("status").GetString() == NoticeStatuses.Sent);
        Assert.Equal("浙B2V9L7", sms.GetProperty("plate").GetString());
        var notified = await Eventually.ReturnsAsync(async () => (await store.GetAsync(Guid.Parse(sms.GetProperty("violationId").GetString()!), default))!.State,
            s => s == CaseState.Notified, TimeSpan.FromSeconds(10), "owner's case notified");
        Assert.Equal(CaseState.Notified, notified);

        // Another officer's PDA answers the task it never got: refused, the case stays escalated. The officer it went
        // to answers from the car with its plate and a photo: ticketed.
        await using var otherOfficer = await TestMqttClient.ConnectAsync(gateway.Settings.MqttPort, "pda-officer-2");
        await otherOfficer.SubscribeAsync(gateway.Settings.Topics.Receipts("pda-officer-2"));
        await officer.SubscribeAsync(gateway.Settings.Topics.Receipts("pda-officer-1"));
        var taskId = task.GetProperty("taskId").GetString()!;
        var laneId = task.GetProperty("laneId").GetString()!;
        var stranger = Guid.NewGuid().ToString();
        await otherOfficer.PublishAsync(gateway.Settings.Topics.Reports("pda-officer-2"), Reports.Json(stranger, "辽DU4356", laneId, taskId: taskId));
        var refused = await otherOfficer.WaitForJsonAsync(gateway.Settings.Topics.Receipts("pda-officer-2"), r => r.GetProperty("reportId").GetString() == stranger);
        Assert.Equal("not-your-task", refused.GetProperty("code").GetString());
        Assert.Equal(CaseState.Escalated, (await store.GetAsync(noOwner.Violation.Id, default))!.State);

        var answer = Guid.NewGuid().ToString();
        await officer.PublishAsync(gateway.Settings.Topics.Reports("pda-officer-1"), Reports.Json(answer, "辽DU4356", laneId, taskId: taskId));
        var receipt = await officer.WaitForJsonAsync(gateway.Settings.Topics.Receipts("pda-officer-1"), r => r.GetProperty("reportId").GetString() == answer);
        Assert.Equal("accepted", receipt.GetProperty("status").GetString());
        await Eventually.ReturnsAsync(async () => (await store.GetAsync(noOwner.Violation.Id, default))!.State,
            s => s == CaseState.Ticketed, TimeSpan.FromSeconds(10), "the task's officer ticketed the case");
        await simulator.StopAsync();
    }

    [Fact]
    public async Task After_a_restart_a_cited_car_that_has_left_is_cleared_not_forgotten()
    {
        var settings = Settings();
        await using (var gateway = await GatewayHarness.StartAsync(settings))
        {
            await using var camera = await TestMqttClient.ConnectAsync(gateway.Settings.MqttPort, "cam-1");
            await PlayAsync(gateway, camera, await File.ReadAllBytesAsync(Scene), _t0, 25); // confirmed 20 s in
            await Eventually.ReturnsAsync(NoticesAsync, n => n.Length >= 2, TimeSpan.FromSeconds(30), "two SMS notices");
        }

        // The gateway restarts (new ports, same data directory); by its first frame the cars are gone. Its engine never
        // saw them: only the cases restored from storage tell it that something should be standing there.
        var again = new GatewaySettings();
        foreach (var (key, value) in settings.Where(kv => kv.Key is not ("OneThing:Mqtt:Port" or "OneThing:Http:Urls")))
        {
            again[key] = value;
        }
        await using var restarted = await GatewayHarness.StartAsync(again);
        await using var camera2 = await TestMqttClient.ConnectAsync(again.MqttPort, "cam-1");
        await PlayAsync(restarted, camera2, EmptyLane(), _t0.AddSeconds(25), 35); // longer than the tracker's 30 s inertia

        var store = restarted.Get<ViolationStore>();
        foreach (var notice in await NoticesAsync())
        {
            var id = Guid.Parse(notice.GetProperty("violationId").GetString()!);
            await Eventually.ReturnsAsync(async () => (await store.GetAsync(id, default))!.State, s => s == CaseState.Cleared, TimeSpan.FromSeconds(30), "case cleared after the restart");
        }
    }
}
