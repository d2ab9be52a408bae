using OneThing.Edge.Domain.Reports;
using OneThing.Edge.Messaging.Pda;
using OneThing.Edge.TestKit;
using Xunit;

namespace OneThing.Edge.EndToEnd.Tests.Faults;

/// <summary>
/// The gateway dies after committing a PDA report but before turning it into a case (and before its PUBACK). The
/// broker redelivers the report; it is a duplicate by id, yet the case must still be made, once.
/// </summary>
public sealed class InterruptedFusionTests
{
    [Fact]
    public async Task A_redelivered_report_that_never_became_a_case_becomes_one()
    {
        await using var traffic = await SimulatorUnderTest.StartAsync();
        await using var gateway = await GatewayHarness.StartAsync(traffic.Configure(new GatewaySettings()));
        var id = Guid.NewGuid().ToString();
        var json = DistinctReports.Json(id, 7);

        // The state a SIGKILL between the report's commit and case fusion leaves behind.
        var report = gateway.Get<PdaReportParser>().Parse("pda-1", json);
        Assert.False((await gateway.Get<IPdaReportStore>().SaveAsync(report, CancellationToken.None)).IsDuplicate);
        Assert.Empty(await EdgeDatabase.ViolationIdsAsync(gateway.Settings.DataDirectory));

        await using var pda = await TestMqttClient.ConnectAsync(gateway.Settings.MqttPort, "pda-redelivery");
        await pda.SubscribeAsync(gateway.Settings.Topics.Receipts("pda-1"));
        Assert.True((await pda.PublishAsync(gateway.Settings.Topics.Reports("pda-1"), json)).IsSuccess);
        await pda.WaitForJsonAsync(gateway.Settings.Topics.Receipts("pda-1"), r => r.GetProperty("status").GetString() == "duplicate");

        var cases = await Eventually.ReturnsAsync(() => EdgeDatabase.ViolationIdsAsync(gateway.Settings.DataDirectory), v => v.Count > 0, TimeSpan.FromSeconds(10), "case made from the redelivered report");
        Assert.Equal(Guid.Parse(id), Guid.Parse(Assert.Single(cases)));
        await Eventually.ReturnsAsync(async () => (await traffic.NoticesAsync()).Length, n => n == 1, TimeSpan.FromSeconds(20), "one SMS");

        // A second redelivery changes nothing.
        Assert.True((await pda.PublishAsync(gateway.Settings.Topics.Reports("pda-1"), json)).IsSuccess);
        await Task.Delay(1000);
        Assert.Single(await EdgeDatabase.ViolationIdsAsync(gateway.Settings.DataDirectory));
        Assert.Single(await traffic.NoticesAsync());
    }
}
