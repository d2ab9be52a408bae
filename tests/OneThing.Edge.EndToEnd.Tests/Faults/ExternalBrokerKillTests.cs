using OneThing.Edge.Domain.Faults;
using OneThing.Edge.TestKit;
using Xunit;

namespace OneThing.Edge.EndToEnd.Tests.Faults;

/// <summary>
/// With an external broker (real Mosquitto) the gateway acknowledges a report only after committing it, in its
/// persistent session. Killed in the middle of a report's commit, and down while more reports are published, it gets
/// them all when it returns, and stores each once.
/// </summary>
public sealed class ExternalBrokerKillTests
{
    private const int PublishedWhileDown = 5;

    [Fact]
    public async Task Reports_published_while_the_gateway_is_down_or_in_the_commit_it_was_killed_in_arrive_once()
    {
        await using var mosquitto = await MosquittoBroker.StartAsync();
        var settings = new GatewaySettings().UseExternalBroker(mosquitto);
        var data = settings.DataDirectory;
        var receipts = settings.Topics.Receipts("pda-1");
        await using var pda = await TestMqttClient.ConnectAsync(mosquitto.Port, "pda-broker-kill");
        await pda.SubscribeAsync(receipts);
        var ids = new List<string>();

        async Task PublishAsync(string id, int i)
        {
            Assert.True((await pda.PublishAsync(settings.Topics.Reports("pda-1"), DistinctReports.Json(id, i))).IsSuccess); // the broker has it
            ids.Add(id);
        }

        await using (var dying = GatewayProcess.Start("run", settings.ToProcessArgs(), crashAt: CrashPoint.ReportUncommitted))
        {
            await StatusWatch.WaitOnlineAsync(mosquitto, settings);
            await PublishAsync(Guid.NewGuid().ToString(), 0);
            await dying.WaitForExitAsync(TimeSpan.FromSeconds(60), "SIGKILL inside the report's transaction");
            Assert.Equal(GatewayProcess.KilledExitCode, dying.ExitCode);
        }
        Assert.Empty(await EdgeDatabase.ReportIdsAsync(data)); // the transaction died with the process
        Assert.Equal(["ok"], await EdgeDatabase.IntegrityCheckAsync(data));

        for (var i = 1; i <= PublishedWhileDown; i++)
        {
            await PublishAsync(Guid.NewGuid().ToString(), i);
        }
        await using var gateway = GatewayProcess.Start("run", settings.ToProcessArgs());
        await Eventually.ReturnsAsync(() => EdgeDatabase.ReportIdsAsync(data), s => s.Count >= ids.Count, TimeSpan.FromSeconds(60), "reports stored after the restart");

        // A later report's receipt: the session's redeliveries, all sent before it, have been handled by then.
        var later = Guid.NewGuid().ToString();
        await PublishAsync(later, PublishedWhileDown + 1);
        await pda.WaitForJsonAsync(receipts, r => r.GetProperty("reportId").GetString() == later, TimeSpan.FromSeconds(30));

        Assert.Equal(ids.Order(StringComparer.Ordinal), (await EdgeDatabase.ReportIdsAsync(data)).Order(StringComparer.Ordinal));
        var statuses = pda.Received.Where(m => m.Topic == receipts)
            .Select(m => System.Text.Json.JsonDocument.Parse(m.Payload).RootElement)
            .Select(r => (Id: r.GetProperty("reportId").GetString()!, Status: r.GetProperty("status").GetString()!))
            .OrderBy(r => r.Id, StringComparer.Ordinal);
        Assert.Equal(ids.Order(StringComparer.Ordinal).Select(id => (id, "accepted")), statuses); // one receipt each: none delivered twice
        Assert.Empty(await EdgeDatabase.ColumnAsync(data, "SELECT report_id FROM pda_rejections"));
    }
}
