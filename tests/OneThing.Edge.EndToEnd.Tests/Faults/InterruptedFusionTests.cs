using OneThing.Edge.Domain.Faults;
using OneThing.Edge.TestKit;
using Xunit;

namespace OneThing.Edge.EndToEnd.Tests.Faults;

/// <summary>
/// The gateway process (on Mosquitto) SIGKILLs itself at a crash point of a PDA report's intake: after the report's
/// commit, or after recording its case. The broker redelivers the unacknowledged report to the restarted gateway; it is
/// a duplicate by id, yet its case is made (or linked) then, once.
/// </summary>
public sealed class InterruptedFusionTests
{
    [Fact]
    public async Task A_report_committed_by_a_gateway_killed_before_its_case_becomes_one_case_when_redelivered()
    {
        await using var mosquitto = await MosquittoBroker.StartAsync();
        await using var traffic = await SimulatorUnderTest.StartAsync();
        var settings = traffic.Configure(new GatewaySettings().UseExternalBroker(mosquitto));
        var data = settings.DataDirectory;
        var receipts = settings.Topics.Receipts("pda-1");
        await using var pda = await TestMqttClient.ConnectAsync(mosquitto.Port, "pda-redelivery");
        await pda.SubscribeAsync(receipts);
        var id = Guid.NewGuid().ToString();
        var json = DistinctReports.Json(id, 7);

        await using (var dying = GatewayProcess.Start("run", settings.ToProcessArgs(), crashAt: CrashPoint.ReportCommitted))
        {
            await StatusWatch.WaitOnlineAsync(mosquitto, settings);
            Assert.True((await pda.PublishAsync(settings.Topics.Reports("pda-1"), json)).IsSuccess); // the broker has it
            await dying.WaitForExitAsync(TimeSpan.FromSeconds(60), "SIGKILL at the report's commit");
            Assert.Equal(GatewayProcess.KilledExitCode, dying.ExitCode);
        }
        // What the kill left: the report on disk, no case, no receipt (and no PUBACK to the broker).
        Assert.Equal([id], await EdgeDatabase.ReportIdsAsync(data));
        Assert.Empty(await EdgeDatabase.ViolationIdsAsync(data));
        Assert.Empty(pda.Received);

        await using var gateway = GatewayProcess.Start("run", settings.ToProcessArgs());
        var receipt = await pda.WaitForJsonAsync(receipts, r => r.GetProperty("reportId").GetString() == id, TimeSpan.FromSeconds(60));
        Assert.Equal("duplicate", receipt.GetProperty("status").GetString());
        var cases = await Eventually.ReturnsAsync(() => EdgeDatabase.ViolationIdsAsync(data), v => v.Count > 0, TimeSpan.FromSeconds(30), "case made from the redelivered report");
        Assert.Equal(Guid.Parse(id), Guid.Parse(Assert.Single(cases)));

        // The PDA sends it once more, then a later report. One worker takes reports in order, so the later report's
        // receipt comes after the resend was handled; its case delivered means the outbox got past anything before it.
        Assert.True((await pda.PublishAsync(settings.Topics.Reports("pda-1"), json)).IsSuccess);
        var later = Guid.NewGuid().ToString();
        Assert.True((await pda.PublishAsync(settings.Topics.Reports("pda-1"), DistinctReports.Json(later, 8))).IsSuccess);
        await pda.WaitForJsonAsync(receipts, r => r.GetProperty("reportId").GetString() == later, TimeSpan.FromSeconds(30));
        await Eventually.ReturnsAsync(() => EdgeDatabase.CaseMessageStatesAsync(data), s => s is ["Sent", "Sent"], TimeSpan.FromSeconds(30), "both cases delivered");
        await traffic.StopAsync();

        Assert.Equal(new[] { id, later }.Select(Guid.Parse).Order(), (await EdgeDatabase.ViolationIdsAsync(data)).Select(Guid.Parse).Order());
        Assert.Equal(new[] { id, later }.Select(Guid.Parse).Order(), traffic.NoticesSoFar.Select(n => n.ViolationId).Order());
        Assert.Equal(["duplicate", "duplicate"], ReceiptStatuses(pda, receipts, id));
    }

    [Fact]
    public async Task A_report_whose_case_was_recorded_by_a_gateway_killed_before_linking_is_only_linked_when_redelivered()
    {
        await using var mosquitto = await MosquittoBroker.StartAsync();
        var settings = new GatewaySettings().UseExternalBroker(mosquitto);
        var data = settings.DataDirectory;
        await using var pda = await TestMqttClient.ConnectAsync(mosquitto.Port, "pda-relink");
        await pda.SubscribeAsync(settings.Topics.Receipts("pda-1"));
        var id = Guid.NewGuid().ToString();

        await using (var dying = GatewayProcess.Start("run", settings.ToProcessArgs(), crashAt: CrashPoint.PdaCaseRecorded))
        {
            await StatusWatch.WaitOnlineAsync(mosquitto, settings);
            Assert.True((await pda.PublishAsync(settings.Topics.Reports("pda-1"), DistinctReports.Json(id, 8))).IsSuccess);
            await dying.WaitForExitAsync(TimeSpan.FromSeconds(60), "SIGKILL after recording the report's case");
            Assert.Equal(GatewayProcess.KilledExitCode, dying.ExitCode);
        }
        // What the kill left: the report and its case (with the photo), but the report not linked to it.
        Assert.Equal([id], await EdgeDatabase.ViolationIdsAsync(data));
        Assert.Equal([""], await LinkedCaseAsync(data, id));
        Assert.Equal(["1"], await EvidenceCountAsync(data, id));

        await using var gateway = GatewayProcess.Start("run", settings.ToProcessArgs());
        await Eventually.ReturnsAsync(() => LinkedCaseAsync(data, id), v => v is [var linked] && linked.Length > 0, TimeSpan.FromSeconds(60), "report linked to its case");
        Assert.Equal(Guid.Parse(id), Guid.Parse((await LinkedCaseAsync(data, id))[0]));
        Assert.Equal(["1"], await EvidenceCountAsync(data, id)); // the photo was not merged into its own case a second time
        Assert.Equal([id], await EdgeDatabase.ViolationIdsAsync(data));
        Assert.Single(await EdgeDatabase.CaseMessageStatesAsync(data));
    }

    private static Task<List<string>> LinkedCaseAsync(string data, string reportId) =>
        EdgeDatabase.ColumnAsync(data, $"SELECT COALESCE(violation_id, '') FROM pda_reports WHERE report_id = '{reportId}'");

    private static Task<List<string>> EvidenceCountAsync(string data, string violationId) =>
        EdgeDatabase.ColumnAsync(data, $"SELECT COUNT(*) FROM violation_evidence WHERE violation_id = '{violationId}'");

    private static List<string> ReceiptStatuses(TestMqttClient pda, string topic, string reportId) =>
        [.. pda.Received.Where(m => m.Topic == topic)
            .Select(m => System.Text.Json.JsonDocument.Parse(m.Payload).RootElement)
            .Where(r => r.GetProperty("reportId").GetString() == reportId)
            .Select(r => r.GetProperty("status").GetString()!)];
}
