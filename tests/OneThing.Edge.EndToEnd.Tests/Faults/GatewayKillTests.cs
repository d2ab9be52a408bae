using System.Collections.Concurrent;
using System.Globalization;
using MQTTnet.Protocol;
using OneThing.Edge.TestKit;
using Xunit;
using Xunit.Abstractions;

namespace OneThing.Edge.EndToEnd.Tests.Faults;

/// <summary>
/// The gateway process is SIGKILLed at random moments while a camera sees two cars parked in its fire lane, a PDA
/// publishes reports through Mosquitto, and the traffic system (in this test process) receives the resulting cases.
/// Afterwards: every report the broker acknowledged is stored once and became a case, each parked car is one camera
/// case however often the gateway restarted and re-timed it, and every case texted once.
/// Three kills in CI; `ONETHING_FAULT_KILLS=100` is the long mode. The output line starting `drill:` gives the
/// figures docs/BENCHMARKS.md quotes.
/// </summary>
public sealed class GatewayKillTests(ITestOutputHelper output)
{
    private static readonly int Kills = int.TryParse(Environment.GetEnvironmentVariable("ONETHING_FAULT_KILLS"), CultureInfo.InvariantCulture, out var k) ? k : 3;
    private static readonly TimeSpan PublishEvery = TimeSpan.FromMilliseconds(300);
    private static readonly string[] ParkedPlates = ["浙B2V9L7", "辽DU4356"];

    [Fact]
    public async Task Repeated_SIGKILL_loses_no_report_or_case_and_sends_no_SMS_twice()
    {
        var random = new Random(8_100);
        await using var mosquitto = await MosquittoBroker.StartAsync();
        await using var traffic = await SimulatorUnderTest.StartAsync();
        // cam-1 looks at the road in front of a fence where two cars stand.
        var settings = traffic.Configure(new GatewaySettings().UseExternalBroker(mosquitto).WithRoadLane());
        settings["Serilog:MinimumLevel:Override:OneThing.Edge.Host.Pipeline"] = "Information"; // the last life's resumed cases
        settings["Serilog:MinimumLevel:Override:OneThing.Edge.Messaging.Transport"] = "Information"; // each life's broker connection
        settings["OneThing:Cameras:0:Lanes:0:StopSeconds"] = "2";
        settings["OneThing:Cameras:0:Lanes:0:ConfirmSeconds"] = "10";
        var data = settings.DataDirectory;
        var scene = await File.ReadAllBytesAsync(FireLaneLoopTests.Scene);
        await using var camera = await TestMqttClient.ConnectAsync(mosquitto.Port, "cam-1");

        await using var pda = await TestMqttClient.ConnectAsync(mosquitto.Port, "pda-kill");
        var acknowledged = new ConcurrentQueue<string>();
        var published = 0;
        using var stopPublishing = new CancellationTokenSource();

        // The first start creates the gateway's persistent session; from then on the broker keeps reports for it while it is down.
        var gateway = GatewayProcess.Start("run", settings.ToProcessArgs());
        try
        {
            await using var observer = await TestMqttClient.ConnectAsync(mosquitto.Port, "observer");
            await observer.SubscribeAsync(settings.Topics.GatewayStatus);
            await observer.WaitForJsonAsync(settings.Topics.GatewayStatus, s => s.GetProperty("state").GetString() == "online", TimeSpan.FromSeconds(60));

            var cameraFeed = Task.Run(async () =>
            {
                // 1 fps with live capture times, as a camera keeps sending whether the gateway is up or not.
                while (!stopPublishing.IsCancellationRequested)
                {
                    await camera.PublishAsync(settings.Topics.Frames("cam-1"), scene, MqttQualityOfServiceLevel.AtMostOnce,
                        ("captured-at", DateTimeOffset.UtcNow.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture)));
                    await Task.Delay(1000);
                }
            });
            var publisher = Task.Run(async () =>
            {
                for (var i = 0; !stopPublishing.IsCancellationRequested; i++)
                {
                    var id = Guid.NewGuid().ToString();
                    published++;
                    if ((await pda.PublishAsync(settings.Topics.Reports("pda-1"), DistinctReports.Json(id, i))).IsSuccess)
                    {
                        acknowledged.Enqueue(id);
                    }
                    // About the rate the gateway stores reports on this machine, so the backlog stays short and kills hit live work.
                    await Task.Delay(PublishEvery);
                }
            });

            // The first life lasts until both parked cars are cited; later lives re-time them from cold.
            await Eventually.ReturnsAsync(() => CameraCasePlatesAsync(data), p => p.Count >= ParkedPlates.Length, TimeSpan.FromSeconds(90), "both parked cars cited");
            for (var kill = 1; kill <= Kills; kill++)
            {
                // Let the new process get going (online, storing reports, forwarding cases), then kill it at a random
                // moment. Starting takes long on a loaded machine: the deadlines only catch a gateway that never does.
                var before = (await EdgeDatabase.ReportIdsAsync(data)).Count;
                var life = kill;
                await Eventually.ReturnsAsync(() => Task.FromResult(OnlineCount(observer, settings)), n => n >= life, TimeSpan.FromSeconds(180), $"gateway online before kill {kill}");
                await Eventually.ReturnsAsync(() => EdgeDatabase.ReportIdsAsync(data), s => s.Count > before + 2, TimeSpan.FromSeconds(120), $"gateway storing reports before kill {kill}");
                await Task.Delay(random.Next(0, 1000));
                gateway.KillHard();
                await gateway.WaitForExitAsync();
                output.WriteLine($"kill {kill}: {(await EdgeDatabase.ReportIdsAsync(data)).Count} reports stored, {acknowledged.Count} acknowledged by the broker");
                await gateway.DisposeAsync();
                gateway = GatewayProcess.Start("run", settings.ToProcessArgs());
            }
            // The last life re-times the parked cars from cold until it meets their open cases: past that point it
            // would have cited them again.
            await Eventually.ReturnsAsync(() => Task.FromResult(CountOf(gateway.Output, "the same car, no new case") + CountOf(gateway.Output, "still open; no second case")),
                n => n >= ParkedPlates.Length, TimeSpan.FromSeconds(180), "the last life met both parked cars' open cases");
            await stopPublishing.CancelAsync();
            await publisher;
            await cameraFeed;

            var expected = acknowledged.ToHashSet();
            output.WriteLine($"publishing stopped: {expected.Count} acknowledged by the broker");
            // A loss shows as these waits running out; the figures are printed and checked either way.
            await WaitQuietlyAsync(async () => expected.Except(await EdgeDatabase.ReportIdsAsync(data)).Any(), TimeSpan.FromSeconds(60));
            await WaitQuietlyAsync(async () => expected.Except(await EdgeDatabase.ViolationIdsAsync(data), StringComparer.OrdinalIgnoreCase).Any(), TimeSpan.FromSeconds(60));
            var stored = await EdgeDatabase.ReportIdsAsync(data); // report_id is the primary key: each at most once
            var cases = (await EdgeDatabase.ViolationIdsAsync(data)).Select(Guid.Parse).ToList();
            var cameraCases = (await EdgeDatabase.ColumnAsync(data, "SELECT id FROM violations WHERE camera_id = 'cam-1'")).Select(Guid.Parse).ToList();
            var texted = expected.Select(Guid.Parse).Concat(cameraCases).Order().ToList();
            // Every case message marked sent: the gateway calls the traffic system no more. Stopping the simulator
            // then waits for any call still in it (a retry the gateway gave up on), so no SMS can follow.
            await WaitQuietlyAsync(async () => await EdgeDatabase.CaseMessageStatesAsync(data) is var s && (s.Count < texted.Count || s.Any(state => state != "Sent")), TimeSpan.FromSeconds(90));
            await traffic.StopAsync();
            var notices = traffic.NoticesSoFar.Select(n => n.ViolationId).ToList();

            var lost = expected.Except(stored).Count() + expected.Select(Guid.Parse).Except(cases).Count() + texted.Except(notices).Count();
            var duplicated = notices.Count - notices.Distinct().Count() + Math.Max(0, cameraCases.Count - ParkedPlates.Length);
            output.WriteLine($"drill: {Kills} kills; reports published {published}, acknowledged {expected.Count}, stored {stored.Count}; " +
                $"cases {cases.Count} ({cameraCases.Count} from the camera); SMS {notices.Count}; lost {lost}, duplicated {duplicated}");
            Assert.Equal(ParkedPlates, (await CameraCasePlatesAsync(data)).Order(StringComparer.Ordinal));
            Assert.Empty(expected.Except(stored));
            Assert.Empty(expected.Select(Guid.Parse).Except(cases));
            Assert.Equal(notices.Count, notices.Distinct().Count());
            Assert.Equal(texted, notices.Order());
        }
        finally
        {
            await stopPublishing.CancelAsync();
            output.WriteLine(gateway.Output.Length > 4000 ? gateway.Output[^4000..] : gateway.Output);
            await gateway.DisposeAsync();
        }
    }

    private static async Task WaitQuietlyAsync(Func<Task<bool>> pending, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (await pending() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }
    }

    /// <summary>How many times a gateway life has said `online` (once per start; the kills leave `offline` wills between).</summary>
    private static int OnlineCount(TestMqttClient observer, GatewaySettings settings) =>
        observer.Received.Count(m => m.Topic == settings.Topics.GatewayStatus && System.Text.Encoding.UTF8.GetString(m.Payload).Contains("\"online\"", StringComparison.Ordinal));

    private static int CountOf(string text, string part) =>
        text.Split('\n').Count(line => line.Contains(part, StringComparison.Ordinal));

    private static Task<List<string>> CameraCasePlatesAsync(string data) =>
        EdgeDatabase.ColumnAsync(data, "SELECT plate FROM violations WHERE camera_id = 'cam-1'");
}
