using OneThing.Edge.Domain.Evidence;
using OneThing.Edge.Domain.Reports;
using OneThing.Edge.Domain.Violations;
using OneThing.Edge.Storage.Cases;
using OneThing.Edge.Storage.Reports;
using OneThing.Edge.Storage.Violations;
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

    [Fact]
    public async Task A_redelivered_report_whose_case_was_recorded_but_not_linked_is_only_linked()
    {
        await using var gateway = await GatewayHarness.StartAsync();
        var id = Guid.NewGuid().ToString();
        var json = DistinctReports.Json(id, 8);

        // The state a SIGKILL between recording the PDA case and linking the report leaves behind.
        var report = gateway.Get<PdaReportParser>().Parse("pda-1", json);
        await gateway.Get<IPdaReportStore>().SaveAsync(report, CancellationToken.None);
        var photo = await gateway.Get<CaseRecorder>().StoreEvidenceAsync(EvidenceKinds.PdaPhoto, report.Photos[0].Data, report.ObservedAt, "image/jpeg", null, report.LaneId, null, CancellationToken.None);
        var violation = new Violation(Guid.Parse(id), "test-site", report.LaneId!, ViolationSource.Pda, null, "pda-1", report.OfficerId, report.Plate, 1.0,
            report.ObservedAt, report.ReceivedAt, [new EvidenceItem(photo.Kind, photo.Sha256, photo.CapturedAt, photo.ContentType)]);
        Assert.True(await gateway.Get<CaseRecorder>().RecordAsync(violation, new EvidenceManifest(violation.Id, [photo]), CancellationToken.None));

        await using var pda = await TestMqttClient.ConnectAsync(gateway.Settings.MqttPort, "pda-relink");
        await pda.SubscribeAsync(gateway.Settings.Topics.Receipts("pda-1"));
        Assert.True((await pda.PublishAsync(gateway.Settings.Topics.Reports("pda-1"), json)).IsSuccess);
        await pda.WaitForJsonAsync(gateway.Settings.Topics.Receipts("pda-1"), r => r.GetProperty("status").GetString() == "duplicate");

        var stored = await Eventually.ReturnsAsync(() => gateway.Get<PdaReportStore>().FindAsync(id, CancellationToken.None), r => r?.ViolationId is not null, TimeSpan.FromSeconds(10), "report linked to its case");
        Assert.Equal(Guid.Parse(id), stored!.ViolationId);
        var evidence = (await gateway.Get<ViolationStore>().GetAsync(Guid.Parse(id), CancellationToken.None))!.Violation.Evidence;
        Assert.Single(evidence); // the photo was not merged into its own case a second time
    }
}
