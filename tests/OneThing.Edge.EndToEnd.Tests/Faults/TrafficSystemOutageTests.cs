using MQTTnet.Protocol;
using OneThing.Edge.TestKit;
using OneThing.TrafficSystem.Simulator;
using Xunit;

namespace OneThing.Edge.EndToEnd.Tests.Faults;

/// <summary>
/// The traffic system refuses connections, answers too slowly, or fails with 503: the gateway keeps its cases on disk
/// (outbox rows not sent) and, once the traffic system is back, delivers each exactly once (one notice per case).
/// </summary>
public sealed class TrafficSystemOutageTests
{
    private const int Cases = 8;

    public static TheoryData<string> Faults => ["refuse", "slow", "503"];

    private static FaultSettings Fault(string kind) => kind switch
    {
        "refuse" => new FaultSettings(null, null, null, null, Refuse: true),
        // Beyond the 500 ms attempt timeout; the simulator still does the work, as a real slow server would.
        "slow" => new FaultSettings(null, null, LatencyMs: 1500, SlowNext: null, null),
        _ => new FaultSettings(FailNext: int.MaxValue, Status: 503, null, null, null),
    };

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task Cases_wait_on_disk_while_the_traffic_system_is_faulty_and_are_delivered_once_when_it_recovers(string fault)
    {
        await using var traffic = await SimulatorUnderTest.StartAsync();
        await traffic.FaultAsync(Fault(fault));
        await using var gateway = await GatewayHarness.StartAsync(traffic.Configure(new GatewaySettings()));
        var data = gateway.Settings.DataDirectory;
        await using var pda = await TestMqttClient.ConnectAsync(gateway.Settings.MqttPort, "pda-outage");

        var reportIds = new List<string>();
        for (var i = 0; i < Cases; i++)
        {
            var id = Guid.NewGuid().ToString();
            var ack = await pda.PublishAsync(gateway.Settings.Topics.Reports("pda-1"), DistinctReports.Json(id, i), MqttQualityOfServiceLevel.AtLeastOnce);
            Assert.True(ack.IsSuccess, ack.ReasonString);
            reportIds.Add(id);
        }

        // Each report became a case, held in the outbox and retried, never marked sent.
        await Eventually.ReturnsAsync(() => EdgeDatabase.CaseMessageStatesAsync(data), s => s.Count == Cases, TimeSpan.FromSeconds(20), "case messages in the outbox");
        await Eventually.ReturnsAsync(() => EdgeDatabase.ColumnAsync(data, "SELECT MIN(attempts) FROM outbox WHERE kind = 'violation'"),
            a => a is [var min] && int.Parse(min, System.Globalization.CultureInfo.InvariantCulture) >= 2, TimeSpan.FromSeconds(20), "every case tried at least twice");
        Assert.DoesNotContain("Sent", await EdgeDatabase.CaseMessageStatesAsync(data));
        Assert.DoesNotContain("DeadLettered", await EdgeDatabase.CaseMessageStatesAsync(data));
        if (fault != "slow")
        {
            Assert.Empty(traffic.NoticesSoFar);
        }

        await traffic.ClearFaultsAsync();

        await Eventually.ReturnsAsync(() => EdgeDatabase.UnsentMessageStatesAsync(data), s => s.Count == 0, TimeSpan.FromSeconds(30), "outbox drained");
        // Every message marked sent: the gateway calls no more. Stopping the simulator waits for the calls still in it
        // (slow ones the gateway gave up on), so the notices read after it are all there will be.
        await traffic.StopAsync();
        var notices = traffic.NoticesSoFar;
        Assert.Equal(Cases, notices.Count);
        Assert.Equal(reportIds.Select(Guid.Parse).Order(), notices.Select(n => n.ViolationId).Order());
    }
}
