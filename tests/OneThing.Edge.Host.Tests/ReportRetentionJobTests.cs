using OneThing.Edge.CloudConnector;
using OneThing.Edge.Domain.Audit;
using OneThing.Edge.Storage;
using OneThing.Edge.Storage.Audit;
using OneThing.Edge.Storage.Reports;
using OneThing.Edge.TestKit;
using Quartz;
using Xunit;

namespace OneThing.Edge.Host.Tests;

/// <summary>The gateway's own retention job over officer reports, with a one-second retention period.</summary>
public sealed class ReportRetentionJobTests
{
    [Fact]
    public async Task The_retention_job_purges_an_old_rejected_payload_and_its_file_keeps_a_report_of_an_open_case_and_audits_it()
    {
        var settings = new GatewaySettings();
        settings["OneThing:Retention:Period"] = "00:00:01";
        await using var gateway = await GatewayHarness.StartAsync(settings);
        await using var pda = await TestMqttClient.ConnectAsync(settings.MqttPort, "pda-1-retention");
        await pda.SubscribeAsync(settings.Topics.Receipts("pda-1"));
        var rejected = Guid.NewGuid().ToString();
        var accepted = Guid.NewGuid().ToString();
        await pda.PublishAsync(settings.Topics.Reports("pda-1"), Reports.Json(rejected, plate: "ABC123"));
        await pda.PublishAsync(settings.Topics.Reports("pda-1"), Reports.Json(accepted));
        await pda.WaitForJsonAsync(settings.Topics.Receipts("pda-1"), r => r.GetProperty("reportId").GetString() == accepted);
        var database = gateway.Get<SqliteDatabase>();
        Assert.Equal(1, await database.CountAsync("pda_rejections"));

        // The job as its schedule would run it, until the rejection is older than the period.
        var scheduler = await gateway.Get<ISchedulerFactory>().GetScheduler();
        await Eventually.ReturnsAsync(async () =>
        {
            await scheduler.TriggerJob(RetentionPurgeJob.Key);
            return await database.CountAsync("pda_rejections");
        }, n => n == 0, TimeSpan.FromSeconds(30), "rejected payload purged");

        // The accepted report became a case that is still open: it and its photo stay.
        var report = await gateway.Get<PdaReportStore>().FindAsync(accepted, default);
        Assert.NotNull(report);
        Assert.True(gateway.Get<FileStore>().Exists(report.PhotoSha256[0]));
        var audit = gateway.Get<AuditLog>();
        var purge = Assert.Single(await audit.ReadAllAsync(default), e => e.Kind == AuditKinds.RetentionPurge);
        var file = Assert.Single(System.Text.Json.JsonDocument.Parse(purge.PayloadJson).RootElement.GetProperty("files").EnumerateArray()).GetString()!;
        Assert.False(gateway.Get<FileStore>().Exists(file));
        Assert.True((await audit.VerifyAsync(gateway.Get<FileStore>(), default)).Ok);
    }
}
