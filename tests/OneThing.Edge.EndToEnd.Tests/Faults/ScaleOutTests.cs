using MQTTnet.Protocol;
using OneThing.Edge.Domain.Faults;
using OneThing.Edge.Messaging;
using OneThing.Edge.TestKit;
using Xunit;
using Xunit.Abstractions;

namespace OneThing.Edge.EndToEnd.Tests.Faults;

/// <summary>
/// Two gateway instances on one Mosquitto (docs/SCALE-OUT.md): PDA reports split through a shared group and stored
/// once, cameras partitioned by each instance's configuration, and one status topic per instance.
/// </summary>
public sealed class ScaleOutTests(ITestOutputHelper output)
{
    private const int Reports = 100;

    /// <summary>An instance with cameras cam-1 and cam-2 (the <see cref="GatewaySettings"/> site).</summary>
    public static GatewaySettings Instance(MosquittoBroker broker, string name)
    {
        var settings = new GatewaySettings().UseExternalBroker(broker);
        settings["OneThing:Mqtt:ClientId"] = "gateway-" + name;
        settings["OneThing:Mqtt:SharedGroup"] = "site-gateways";
        return settings;
    }

    private static async Task<TestMqttClient> ObserveOnlineAsync(MosquittoBroker broker, params GatewaySettings[] instances)
    {
        var observer = await TestMqttClient.ConnectAsync(broker.Port, "observer-" + Guid.NewGuid().ToString("N")[..6]);
        await observer.SubscribeAsync(instances[0].Topics.InstanceStatus("+"));
        foreach (var instance in instances)
        {
            await observer.WaitForJsonAsync(instance.StatusTopic, s => s.GetProperty("state").GetString() == "online", TimeSpan.FromSeconds(60));
        }
        return observer;
    }

    [Fact]
    public async Task Each_PDA_report_is_handled_by_exactly_one_of_two_instances()
    {
        await using var mosquitto = await MosquittoBroker.StartAsync();
        await using var first = await GatewayHarness.StartAsync(Instance(mosquitto, "a"));
        await using var second = await GatewayHarness.StartAsync(Instance(mosquitto, "b"));
        await using var observer = await ObserveOnlineAsync(mosquitto, first.Settings, second.Settings); // both subscribed

        await using var pda = await TestMqttClient.ConnectAsync(mosquitto.Port, "pda-shared");
        var ids = new List<string>();
        for (var i = 0; i < Reports; i++)
        {
            var id = Guid.NewGuid().ToString();
            Assert.True((await pda.PublishAsync(first.Settings.Topics.Reports($"pda-{i % 4}"), DistinctReports.Json(id, i))).IsSuccess);
            ids.Add(id);
        }

        string[] data = [first.Settings.DataDirectory, second.Settings.DataDirectory];
        await Eventually.ReturnsAsync(() => StoredCountAsync(data), n => n >= Reports, TimeSpan.FromSeconds(90), "reports stored across both instances");
        ids.AddRange(await MarkEachInstanceAsync(pda, first.Settings, data, Reports));
        var inFirst = await EdgeDatabase.ReportIdsAsync(first.Settings.DataDirectory);
        var inSecond = await EdgeDatabase.ReportIdsAsync(second.Settings.DataDirectory);
        output.WriteLine($"instance a stored {inFirst.Count}, instance b stored {inSecond.Count}");

        Assert.Empty(inFirst.Intersect(inSecond));
        Assert.Equal(ids.Order(), inFirst.Concat(inSecond).Order());
        Assert.NotEmpty(inFirst); // the broker really split the load
        Assert.NotEmpty(inSecond);
    }

    [Fact]
    public async Task A_camera_frames_reach_only_the_instance_configured_for_it()
    {
        await using var mosquitto = await MosquittoBroker.StartAsync();
        var other = Instance(mosquitto, "b");
        other["OneThing:Cameras:0:Id"] = "cam-3";
        other["OneThing:Cameras:1:Id"] = "cam-4";
        await using var a = await GatewayHarness.StartAsync(Instance(mosquitto, "a"));
        await using var b = await GatewayHarness.StartAsync(other);
        await using var observer = await ObserveOnlineAsync(mosquitto, a.Settings, b.Settings);

        await using var cameras = await TestMqttClient.ConnectAsync(mosquitto.Port, "cameras");
        var frame = await File.ReadAllBytesAsync(TestPaths.Sample("scenes", "compound_4cars_xue1.jpg"));
        foreach (var (camera, frames) in new[] { ("cam-1", 3), ("cam-3", 2) })
        {
            for (var i = 0; i < frames; i++)
            {
                await cameras.PublishAsync(a.Settings.Topics.Frames(camera), frame, MqttQualityOfServiceLevel.AtMostOnce);
            }
        }

        // One more frame of each camera, last: the broker sends an instance its frames in publishing order, so when
        // each owner has its last frame, a frame of the other camera sent to it would have come before.
        await cameras.PublishAsync(a.Settings.Topics.Frames("cam-1"), frame, MqttQualityOfServiceLevel.AtMostOnce);
        await cameras.PublishAsync(a.Settings.Topics.Frames("cam-3"), frame, MqttQualityOfServiceLevel.AtMostOnce);

        var atA = a.Get<IngressCounters>();
        var atB = b.Get<IngressCounters>();
        await Eventually.ReturnsAsync(() => Task.FromResult((atA.Camera("cam-1").Received, atB.Camera("cam-3").Received)), n => n == (4, 3), TimeSpan.FromSeconds(20), "frames at their owners");
        Assert.Equal(0, atA.UnknownCameraFrames); // never received cam-3's frames, so nothing to drop
        Assert.Equal(0, atB.UnknownCameraFrames);
        Assert.False(atA.Cameras.ContainsKey("cam-3"));
        Assert.False(atB.Cameras.ContainsKey("cam-1"));
    }

    [Fact]
    public async Task A_killed_instance_gets_its_unacknowledged_reports_again_when_it_returns_and_each_is_stored_once()
    {
        await using var mosquitto = await MosquittoBroker.StartAsync();
        var doomed = Instance(mosquitto, "a");
        await using var survivor = await GatewayHarness.StartAsync(Instance(mosquitto, "b"));
        string[] data = [doomed.DataDirectory, survivor.Settings.DataDirectory];
        await using var pda = await TestMqttClient.ConnectAsync(mosquitto.Port, "pda-redelivered");
        var beforeKill = new List<string>();
        var ids = new List<string>();
        async Task PublishAsync(int count)
        {
            for (var i = 0; i < count; i++)
            {
                var id = Guid.NewGuid().ToString();
                Assert.True((await pda.PublishAsync(doomed.Topics.Reports($"pda-{i % 4}"), DistinctReports.Json(id, ids.Count))).IsSuccess);
                ids.Add(id);
            }
        }

        // A SIGKILLs itself inside the commit of the first report it takes: that report and the rest of its share of
        // the first 20 are delivered to it but not acknowledged.
        await using (var dying = GatewayProcess.Start("run", doomed.ToProcessArgs(), crashAt: CrashPoint.ReportUncommitted))
        {
            await using var observer = await ObserveOnlineAsync(mosquitto, doomed, survivor.Settings);
            await PublishAsync(20);
            beforeKill.AddRange(ids);
            await dying.WaitForExitAsync(TimeSpan.FromSeconds(60), "SIGKILL inside a report's commit");
            Assert.Equal(GatewayProcess.KilledExitCode, dying.ExitCode);
        }
        Assert.Empty(await EdgeDatabase.ReportIdsAsync(doomed.DataDirectory));
        await PublishAsync(20); // while A is dead

        await using var returned = GatewayProcess.Start("run", doomed.ToProcessArgs());
        await Eventually.ReturnsAsync(() => StoredCountAsync(data), n => n >= ids.Count, TimeSpan.FromSeconds(90), "reports stored across both instances");
        ids.AddRange(await MarkEachInstanceAsync(pda, doomed, data, ids.Count));
        var inA = await EdgeDatabase.ReportIdsAsync(doomed.DataDirectory);
        var inB = await EdgeDatabase.ReportIdsAsync(survivor.Settings.DataDirectory);
        output.WriteLine($"A stored {inA.Count} ({inA.Intersect(beforeKill).Count()} of them delivered before it was killed), B stored {inB.Count}");

        Assert.Empty(inA.Intersect(inB));
        Assert.Equal(ids.Order(), inA.Concat(inB).Order());
        Assert.NotEmpty(inA.Intersect(beforeKill)); // delivered to A before the kill, stored by A after it: redelivered to its session
    }

    private static async Task<int> StoredCountAsync(string[] dataDirectories)
    {
        var count = 0;
        foreach (var data in dataDirectories)
        {
            count += (await EdgeDatabase.ReportIdsAsync(data)).Count;
        }
        return count;
    }

    /// <summary>
    /// Publishes marker reports, one at a time after everything else, until every instance has stored one, and returns
    /// their ids. An instance takes its deliveries in order (one report worker), so by then a duplicate the broker had
    /// sent it earlier would be stored too.
    /// </summary>
    private static async Task<List<string>> MarkEachInstanceAsync(TestMqttClient pda, GatewaySettings site, string[] dataDirectories, int firstIndex)
    {
        var markers = new List<string>();
        while (true)
        {
            var id = Guid.NewGuid().ToString();
            Assert.True((await pda.PublishAsync(site.Topics.Reports("pda-0"), DistinctReports.Json(id, firstIndex + markers.Count))).IsSuccess);
            markers.Add(id);
            var holding = await Eventually.ReturnsAsync(() => InstancesHoldingAsync(dataDirectories, markers), n => n.Stored, TimeSpan.FromSeconds(30), "marker report stored");
            if (holding.Instances == dataDirectories.Length)
            {
                return markers;
            }
            Assert.True(markers.Count < 20, "the broker sent 20 marker reports to one instance only");
        }
    }

    private static async Task<(bool Stored, int Instances)> InstancesHoldingAsync(string[] dataDirectories, List<string> markers)
    {
        var holding = 0;
        var stored = new HashSet<string>();
        foreach (var data in dataDirectories)
        {
            var found = (await EdgeDatabase.ReportIdsAsync(data)).Intersect(markers).ToList();
            stored.UnionWith(found);
            holding += found.Count > 0 ? 1 : 0;
        }
        return (stored.Count == markers.Count, holding);
    }

    [Fact]
    public async Task A_killed_instance_is_offline_on_its_own_status_topic_while_the_other_stays_online()
    {
        await using var mosquitto = await MosquittoBroker.StartAsync();
        var doomed = Instance(mosquitto, "a");
        await using var process = GatewayProcess.Start("run", doomed.ToProcessArgs());
        await using var survivor = await GatewayHarness.StartAsync(Instance(mosquitto, "b"));
        await using var observer = await ObserveOnlineAsync(mosquitto, doomed, survivor.Settings);

        process.KillHard(); // SIGKILL: no clean disconnect, the broker publishes the last will
        await process.WaitForExitAsync();
        await observer.WaitForJsonAsync(doomed.StatusTopic, s => s.GetProperty("state").GetString() == "offline", TimeSpan.FromSeconds(60));

        // A late subscriber reads the retained messages: one instance offline, the other online, the site topic unused.
        await using var late = await TestMqttClient.ConnectAsync(mosquitto.Port, "late-observer");
        await late.SubscribeAsync(doomed.Topics.InstanceStatus("+"));
        await late.SubscribeAsync(doomed.Topics.GatewayStatus);
        Assert.Equal("offline", (await late.WaitForJsonAsync(doomed.StatusTopic)).GetProperty("state").GetString());
        Assert.Equal("online", (await late.WaitForJsonAsync(survivor.Settings.StatusTopic)).GetProperty("state").GetString());
        Assert.DoesNotContain(late.Received, m => m.Topic == doomed.Topics.GatewayStatus);
    }
}
