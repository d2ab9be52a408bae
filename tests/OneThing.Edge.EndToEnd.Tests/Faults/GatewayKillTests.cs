using System.Collections.Concurrent;
using OneThing.Edge.TestKit;
using Xunit;
using Xunit.Abstractions;

namespace OneThing.Edge.EndToEnd.Tests.Faults;

/// <summary>
/// The gateway process is SIGKILLed three times at random moments while a PDA publishes reports through Mosquitto and
/// the traffic system (in this test process) receives the resulting cases. Afterwards: every report the broker
/// acknowledged is stored once, every one became a case, and every case texted once.
/// </summary>
public sealed class GatewayKillTests(ITestOutputHelper output)
{
    private const int Kills = 3;
    private static readonly TimeSpan PublishEvery = TimeSpan.FromMilliseconds(300);

    private static IEnumerable<string> ProcessArgs(GatewaySettings settings) =>
        settings.SelectMany(kv => new[] { "--set", $"{kv.Key}={kv.Value}" });

    [Fact]
    public async Task Repeated_SIGKILL_loses_no_report_or_case_and_sends_no_SMS_twice()
    {
        var random = new Random(8_100);
        await using var mosquitto = await MosquittoBroker.StartAsync();
        await using var traffic = await SimulatorUnderTest.StartAsync();
        var settings = traffic.Configure(new GatewaySettings().UseExternalBroker(mosquitto));
        var data = settings.DataDirectory;

        await using var pda = await TestMqttClient.ConnectAsync(mosquitto.Port, "pda-kill");
        var acknowledged = new ConcurrentQueue<string>();
        using var stopPublishing = new CancellationTokenSource();

        // The first start creates the gateway's persistent session; from then on the broker keeps reports for it while it is down.
        var gateway = GatewayProcess.Start("run", ProcessArgs(settings));
        try
        {
            await using var observer = await TestMqttClient.ConnectAsync(mosquitto.Port, "observer");
            await observer.SubscribeAsync(settings.Topics.GatewayStatus);
            await observer.WaitForJsonAsync(settings.Topics.GatewayStatus, s => s.GetProperty("state").GetString() == "online", TimeSpan.FromSeconds(60));

            var publisher = Task.Run(async () =>
            {
                for (var i = 0; !stopPublishing.IsCancellationRequested; i++)
                {
                    var id = Guid.NewGuid().ToString();
                    if ((await pda.PublishAsync(settings.Topics.Reports("pda-1"), DistinctReports.Json(id, i))).IsSuccess)
                    {
                        acknowledged.Enqueue(id);
                    }
                    // About the rate the gateway stores reports on this machine, so the backlog stays short and kills hit live work.
                    await Task.Delay(PublishEvery);
                }
            });

            for (var kill = 1; kill <= Kills; kill++)
            {
                // Let the new process get going (storing reports, forwarding cases), then kill it at a random moment.
                var before = (await EdgeDatabase.ReportIdsAsync(data)).Count;
                await Eventually.ReturnsAsync(() => EdgeDatabase.ReportIdsAsync(data), s => s.Count > before + 2, TimeSpan.FromSeconds(60), $"gateway storing reports before kill {kill}");
                await Task.Delay(random.Next(0, 1000));
                gateway.KillHard();
                await gateway.WaitForExitAsync();
                output.WriteLine($"kill {kill}: {(await EdgeDatabase.ReportIdsAsync(data)).Count} reports stored, {acknowledged.Count} acknowledged by the broker");
                await gateway.DisposeAsync();
                gateway = GatewayProcess.Start("run", ProcessArgs(settings));
            }
            await Task.Delay(1000);
            await stopPublishing.CancelAsync();
            await publisher;

            var expected = acknowledged.ToHashSet();
            output.WriteLine($"publishing stopped: {expected.Count} acknowledged by the broker");
            await Eventually.ReturnsAsync(async () => (await EdgeDatabase.ReportIdsAsync(data)).Count, n => n >= expected.Count, TimeSpan.FromSeconds(60), "all acknowledged reports stored");
            var stored = await EdgeDatabase.ReportIdsAsync(data); // report_id is the primary key: each at most once
            Assert.Empty(expected.Except(stored));

            await Eventually.ReturnsAsync(async () => (await EdgeDatabase.ViolationIdsAsync(data)).Count, n => n >= expected.Count, TimeSpan.FromSeconds(30), "a case for every report");
            var cases = await EdgeDatabase.ViolationIdsAsync(data);
            Assert.Empty(expected.Select(Guid.Parse).Except(cases.Select(Guid.Parse)));

            await Eventually.ReturnsAsync(async () => (await traffic.NoticesAsync()).Length, n => n >= expected.Count, TimeSpan.FromSeconds(60), "a notice for every case");
            await Task.Delay(1000);
            var notices = await traffic.NoticesAsync();
            output.WriteLine($"{expected.Count} reports acknowledged, {stored.Count} stored, {cases.Count} cases, {notices.Length} notices");
            Assert.Equal(notices.Length, notices.Select(n => n.ViolationId).Distinct().Count());
            Assert.Equal(expected.Select(Guid.Parse).Order(), notices.Select(n => n.ViolationId).Order());
        }
        finally
        {
            await stopPublishing.CancelAsync();
            output.WriteLine(gateway.Output.Length > 4000 ? gateway.Output[^4000..] : gateway.Output);
            await gateway.DisposeAsync();
        }
    }
}
