using System.Diagnostics;
using System.Globalization;
using MQTTnet.Protocol;
using OneThing.Edge.TestKit;
using Xunit;
using Xunit.Abstractions;

namespace OneThing.Edge.EndToEnd.Tests.Faults;

/// <summary>
/// docs/SCALE-OUT.md, takeover: instance A cites two parked cars and stores a PDA report, then is SIGKILLed.
/// Instance B starts on A's data directory with A's camera added to its own; the cars keep standing, then leave.
/// The cases A opened are neither cited again nor forgotten: B clears them when the cars leave.
/// </summary>
public sealed class TakeoverTests(ITestOutputHelper output)
{
    private const string Camera = "cam-1";
    /// <summary>IngressCounters' `onething_frames` as prometheus-net's meter adapter names it.</summary>
    private const string FramesMetric = "onething_edge_ingress_frames{";
    private readonly DateTimeOffset _t0 = DateTimeOffset.UtcNow.AddMinutes(-4).AddMilliseconds(-DateTimeOffset.UtcNow.Millisecond);

    [Fact]
    public async Task A_surviving_instance_on_the_dead_ones_data_takes_over_its_camera_without_citing_again()
    {
        var clock = Stopwatch.StartNew();
        await using var mosquitto = await MosquittoBroker.StartAsync();
        await using var traffic = await SimulatorUnderTest.StartAsync();
        var a = traffic.Configure(ScaleOutTests.Instance(mosquitto, "a").WithRoadLane());
        a.Remove("OneThing:Cameras:1:Id"); // A owns cam-1 only
        a["OneThing:Cameras:0:Lanes:0:ConfirmSeconds"] = "10"; // the shortest the evidence rule allows (frames 10 s apart)
        // B's own camera is cam-2; taking over adds A's cam-1 (with its lanes) and A's data directory.
        var b = new GatewaySettings();
        foreach (var (key, value) in a)
        {
            b[key] = value;
        }
        b["OneThing:Mqtt:ClientId"] = "gateway-b";
        b["OneThing:Http:Urls"] = $"http://127.0.0.1:{FreePort.Next()}";
        b["OneThing:Cameras:1:Id"] = "cam-2";
        b["Serilog:MinimumLevel:Override:OneThing.Edge.Host.Pipeline"] = "Information"; // to see B's engine meet A's cases
        var scene = await File.ReadAllBytesAsync(FireLaneLoopTests.Scene);

        await using var observer = await TestMqttClient.ConnectAsync(mosquitto.Port, "observer");
        await observer.SubscribeAsync(a.Topics.InstanceStatus("+"));
        await using var camera = await TestMqttClient.ConnectAsync(mosquitto.Port, Camera);
        await using var pda = await TestMqttClient.ConnectAsync(mosquitto.Port, "pda-takeover");
        await pda.SubscribeAsync(a.Topics.Receipts("pda-1"));

        List<string> cases;
        var reportId = Guid.NewGuid().ToString();
        await using (var gatewayA = GatewayProcess.Start("run", a.ToProcessArgs()))
        {
            await observer.WaitForJsonAsync(a.StatusTopic, s => s.GetProperty("state").GetString() == "online", TimeSpan.FromSeconds(60));
            await PlayAsync(camera, a, scene, _t0, 18); // stopped after 5 s, confirmed 10 s later
            cases = await Eventually.ReturnsAsync(() => EdgeDatabase.ViolationIdsAsync(a.DataDirectory), v => v.Count >= 2, TimeSpan.FromSeconds(20), "A confirmed both cars");
            await Eventually.ReturnsAsync(async () => (await traffic.NoticesAsync()).Length, n => n >= 2, TimeSpan.FromSeconds(20), "an SMS per car");

            Assert.True((await pda.PublishAsync(a.Topics.Reports("pda-1"), DistinctReports.Json(reportId, 1))).IsSuccess);
            await pda.WaitForJsonAsync(a.Topics.Receipts("pda-1"), r => r.GetProperty("reportId").GetString() == reportId, TimeSpan.FromSeconds(20));
            cases = await Eventually.ReturnsAsync(() => EdgeDatabase.ViolationIdsAsync(a.DataDirectory), v => v.Count >= 3, TimeSpan.FromSeconds(20), "the report's case");

            gatewayA.KillHard();
            await gatewayA.WaitForExitAsync();
            await observer.WaitForJsonAsync(a.StatusTopic, s => s.GetProperty("state").GetString() == "offline", TimeSpan.FromSeconds(30));
        }
        output.WriteLine($"{clock.Elapsed.TotalSeconds:0} s: A killed with cases {string.Join(", ", cases)}");

        await using var gatewayB = GatewayProcess.Start("run", b.ToProcessArgs());
        try
        {
            await observer.WaitForJsonAsync(b.StatusTopic, s => s.GetProperty("state").GetString() == "online", TimeSpan.FromSeconds(60));
            // The cars stand on long enough for B's tracker to see them stop again, then leave.
            await PlayAsync(camera, b, scene, _t0.AddSeconds(18), 18);
            await PlayAsync(camera, b, FireLaneLoopTests.EmptyLane(), _t0.AddSeconds(36), 33); // gone for longer than the tracker's 30 s inertia
            output.WriteLine($"{clock.Elapsed.TotalSeconds:0} s: frames played at B");

            // B's engine was seeded with A's open cases: the cars standing where they were cited are those cases.
            Assert.Equal(2, CountOf(gatewayB.Output, "the same car, no new case"));
            await Eventually.ReturnsAsync(
                async () => string.Join(' ', await EdgeDatabase.ColumnAsync(a.DataDirectory, "SELECT state FROM violations WHERE source = 'camera'")),
                states => states == "cleared cleared", TimeSpan.FromSeconds(20), "A's camera cases cleared by B when the cars left");
            Assert.Equal(cases.Order(), (await EdgeDatabase.ViolationIdsAsync(a.DataDirectory)).Order());
            Assert.Contains(reportId, await EdgeDatabase.ReportIdsAsync(a.DataDirectory));
            // B recorded the departures after anything the standing frames made (one recording queue), and its outbox
            // sent their clearances: a new case of the standing cars would be in storage and sent by now. Stopping the
            // simulator waits for calls still in it.
            await Eventually.ReturnsAsync(() => EdgeDatabase.UnsentMessageStatesAsync(a.DataDirectory), s => s.Count == 0, TimeSpan.FromSeconds(30), "B's outbox drained");
            Assert.Equal(2, (await EdgeDatabase.ColumnAsync(a.DataDirectory, "SELECT id FROM outbox WHERE kind = 'clearance' AND state = 'Sent'")).Count);
            Assert.Equal(cases.Order(), (await EdgeDatabase.ViolationIdsAsync(a.DataDirectory)).Order());
            await traffic.StopAsync();
            Assert.Equal(cases.Select(Guid.Parse).Order(), traffic.NoticesSoFar.Select(n => n.ViolationId).Order());
        }
        finally
        {
            output.WriteLine(gatewayB.Output.Length > 4000 ? gatewayB.Output[^4000..] : gatewayB.Output);
        }
        output.WriteLine($"{clock.Elapsed.TotalSeconds:0} s: done");
    }

    private static int CountOf(string text, string part) =>
        text.Split('\n').Count(line => line.Contains(part, StringComparison.Ordinal));

    /// <summary>
    /// Publishes a frame a second of capture time and waits until the gateway process analysed them all (read from its
    /// /metrics), keeping at most two in its queue so none is dropped.
    /// </summary>
    private static async Task PlayAsync(TestMqttClient camera, GatewaySettings gateway, byte[] frame, DateTimeOffset from, int seconds)
    {
        using var metrics = new HttpClient { BaseAddress = new Uri(gateway.HttpUrl) };
        await Eventually.ReturnsAsync(() => IsReadyAsync(metrics), ready => ready, TimeSpan.FromSeconds(60), "gateway ready (broker, database, models)");
        var start = await AnalysedAsync(metrics);
        for (var i = 0; i < seconds; i++)
        {
            await Eventually.ReturnsAsync(() => AnalysedAsync(metrics), n => n >= start + i - 2, TimeSpan.FromSeconds(30), "frames analysed");
            await camera.PublishAsync(gateway.Topics.Frames(Camera), frame, MqttQualityOfServiceLevel.AtMostOnce,
                ("captured-at", from.AddSeconds(i).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture)));
        }
        await Eventually.ReturnsAsync(() => AnalysedAsync(metrics), n => n >= start + seconds, TimeSpan.FromSeconds(30), "frames analysed");
        Assert.Equal(0, await FramesAsync(metrics, "failed"));
    }

    private static async Task<bool> IsReadyAsync(HttpClient http)
    {
        try
        {
            using var response = await http.GetAsync(new Uri("/readyz", UriKind.Relative));
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false; // not listening yet
        }
    }

    private static async Task<long> AnalysedAsync(HttpClient metrics) => await FramesAsync(metrics, "processed") + await FramesAsync(metrics, "failed");

    /// <summary>The `onething_edge_ingress_frames` counter of cam-1 for one outcome, from the Prometheus text.</summary>
    private static async Task<long> FramesAsync(HttpClient metrics, string outcome)
    {
        var text = await metrics.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith(FramesMetric, StringComparison.Ordinal)
            && l.Contains($"camera=\"{Camera}\"", StringComparison.Ordinal) && l.Contains($"outcome=\"{outcome}\"", StringComparison.Ordinal));
        return line is null ? 0 : (long)double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
    }
}
