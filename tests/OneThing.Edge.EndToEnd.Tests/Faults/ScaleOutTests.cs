using MQTTnet.Protocol;
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

        await Eventually.ReturnsAsync(
            async () => (await EdgeDatabase.ReportIdsAsync(first.Settings.DataDirectory)).Count + (await EdgeDatabase.ReportIdsAsync(second.Settings.DataDirectory)).Count,
            n => n >= Reports, TimeSpan.FromSeconds(90), "reports stored across both instances");
        await Task.Delay(1000); // a duplicate delivery, if any, would land now
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

        var atA = a.Get<IngressCounters>();
        var atB = b.Get<IngressCounters>();
        await Eventually.ReturnsAsync(() => Task.FromResult(atA.Camera("cam-1").Received + atB.Camera("cam-3").Received), n => n == 5, TimeSpan.FromSeconds(20), "frames at their owners");
        await Task.Delay(1000); // a frame delivered to the wrong instance would land now
        Assert.Equal(3, atA.Camera("cam-1").Received);
        Assert.Equal(2, atB.Camera("cam-3").Received);
        Assert.Equal(0, atA.UnknownCameraFrames); // never received cam-3's frames, so nothing to drop
        Assert.Equal(0, atB.UnknownCameraFrames);
        Assert.False(atA.Cameras.ContainsKey("cam-3"));
        Assert.False(atB.Cameras.ContainsKey("cam-1"));
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
