using OneThing.Edge.Domain.Cases;
using OneThing.Edge.Domain.Faults;
using OneThing.Edge.Domain.Outbox;
using OneThing.Edge.Storage;
using OneThing.Edge.TestKit;
using OneThing.TrafficSystem.Simulator;
using Xunit;

namespace OneThing.Edge.CloudConnector.Tests;

/// <summary>Gateway outbox and simulator over real HTTP on loopback, real SQLite in temp folders.</summary>
public sealed class DeliveryTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task A_confirmed_case_texts_the_owner_of_its_plate()
    {
        await using var traffic = await TrafficSystemUnderTest.StartAsync();
        await using var gateway = await GatewayUnderTest.StartAsync(traffic.BaseAddress);
        var violation = await gateway.NewViolationAsync(plate: "皖A53J96");

        await gateway.Store.RecordAsync(violation, None);

        await Eventually.HoldsAsync(async () => (await gateway.Store.GetAsync(violation.Id, None))!.State == CaseState.Notified, "case notified");
        var notice = Assert.Single(await traffic.NoticesAsync());
        Assert.Equal((violation.Id, "皖A53J96", "sent"), (notice.ViolationId, notice.Plate, notice.Status));
        Assert.Equal(PhoneMask.Mask(traffic.Owners.Find("皖A53J96")!.Phone), notice.Phone);
        var stored = await gateway.Store.GetAsync(violation.Id, None);
        Assert.Equal(notice.CaseId, stored!.CaseId);
        Assert.Equal(NoticeStatuses.Sent, stored.NoticeStatus);
        Assert.Equal(
            [("forwarded", violation.Id, notice.CaseId), ("notified", violation.Id, notice.CaseId)],
            gateway.Lifecycle.Events.Select(e => (e.Event, e.ViolationId, e.Detail)));
    }

    [Fact]
    public async Task A_case_waits_while_the_traffic_system_is_down_and_is_delivered_once_when_it_is_back()
    {
        var traffic = new TrafficSystemUnderTest();
        await using (traffic)
        {
            await using var gateway = await GatewayUnderTest.StartAsync(traffic.BaseAddress);
            var violation = await gateway.NewViolationAsync();

            await gateway.Store.RecordAsync(violation, None);
            await Eventually.HoldsAsync(async () => (await gateway.Outbox.ListAsync(violation.Id, None))[0] is { State: OutboxState.Failed, Attempts: >= 2 },
                "failed twice while nothing listens", describe: async () => (await gateway.Outbox.ListAsync(violation.Id, None))[0].ToString());
            Assert.Contains("refused", (await gateway.Outbox.ListAsync(violation.Id, None))[0].LastError, StringComparison.OrdinalIgnoreCase);

            await traffic.StartListeningAsync();

            await Eventually.HoldsAsync(async () => (await gateway.Outbox.ListAsync(violation.Id, None))[0].State == OutboxState.Sent, "sent after the outage");
            var notice = Assert.Single(await traffic.NoticesAsync());
            Assert.Equal(violation.Id, notice.ViolationId);
        }
    }

    [Fact]
    public async Task A_slow_traffic_system_is_retried_and_the_owner_texted_once()
    {
        await using var traffic = await TrafficSystemUnderTest.StartAsync();
        await using var gateway = await GatewayUnderTest.StartAsync(traffic.BaseAddress);
        // two answers slower than the 500 ms attempt timeout; the simulator still processes them late
        await traffic.InjectAsync(new { latencyMs = 1200, slowNext = 2 });
        var violation = await gateway.NewViolationAsync();

        await gateway.Store.RecordAsync(violation, None);

        await Eventually.HoldsAsync(async () => (await gateway.Outbox.ListAsync(violation.Id, None))[0].State == OutboxState.Sent, "sent despite timeouts");
        // Sent: the gateway calls no more. Stopping the simulator waits for the slow calls it gave up on.
        await traffic.StopAsync();
        var notice = Assert.Single(traffic.NoticesSoFar);
        Assert.Equal(violation.Id, notice.ViolationId);
        Assert.Equal(notice.CaseId, (await gateway.Store.GetAsync(violation.Id, None))!.CaseId);
    }

    [Fact]
    public async Task A_case_the_traffic_system_rejects_is_dead_lettered_with_the_reason_and_not_retried()
    {
        await using var traffic = await TrafficSystemUnderTest.StartAsync();
        await using var gateway = await GatewayUnderTest.StartAsync(traffic.BaseAddress);
        var violation = await gateway.NewViolationAsync(plate: "not a plate!", evidence: 1);

        await gateway.Store.RecordAsync(violation, None);

        await Eventually.HoldsAsync(async () => (await gateway.Outbox.ListAsync(violation.Id, None))[0].State == OutboxState.DeadLettered, "dead-lettered");
        // A later case delivered: the dispatcher has claimed what was due since, and the dead letter was not among it.
        var later = await gateway.NewViolationAsync();
        await gateway.Store.RecordAsync(later, None);
        await Eventually.HoldsAsync(async () => (await gateway.Outbox.ListAsync(later.Id, None))[0].State == OutboxState.Sent, "a later case sent");
        var entries = await gateway.Outbox.ListAsync(violation.Id, None);
        Assert.Equal(1, entries[0].Attempts);
        Assert.StartsWith("400 BadRequest: plate:", entries[0].LastError, StringComparison.Ordinal);
        Assert.Equal(OutboxState.DeadLettered, entries[1].State);
        Assert.Contains(await gateway.Outbox.ListDeadLettersAsync(10, None), d => d.ViolationId == violation.Id && d.Kind == OutboxKinds.Violation);
        Assert.Contains(gateway.Lifecycle.Events, e => e.Event == "dead-lettered" && e.ViolationId == violation.Id);
        Assert.Equal([later.Id], (await traffic.NoticesAsync()).Select(n => n.ViolationId));
    }

    [Fact]
    public async Task Evidence_goes_after_the_case_and_clearance_after_the_evidence_even_with_failures()
    {
        await using var traffic = await TrafficSystemUnderTest.StartAsync();
        await using var gateway = await GatewayUnderTest.StartAsync(traffic.BaseAddress);
        await traffic.InjectAsync(new { failNext = 4, status = 503 });
        var violation = await gateway.NewViolationAsync(evidence: 3);

        await gateway.Store.RecordAsync(violation, None);
        await gateway.Store.EndAsync(violation.Id, CaseStep.Depart, DateTimeOffset.UtcNow, None);

        await Eventually.HoldsAsync(async () => (await gateway.Outbox.ListAsync(violation.Id, None)).All(e => e.State == OutboxState.Sent), "all sent");
        var view = await traffic.CaseAsync(violation.Id);
        Assert.Equal(
            ["case", .. violation.Evidence.Select(e => "evidence:" + e.Sha256), "clearance:left-after-notice"],
            view!.Events);
        Assert.Equal(CaseState.Cleared, (await gateway.Store.GetAsync(violation.Id, None))!.State);
    }

    [Fact]
    public async Task A_gateway_killed_between_the_answer_and_recording_it_does_not_text_twice()
    {
        await using var traffic = await TrafficSystemUnderTest.StartAsync();
        var settings = new GatewaySettings
        {
            ["OneThing:TrafficSystem:BaseUrl"] = traffic.BaseAddress.ToString(),
            ["OneThing:TrafficSystem:Token"] = TrafficSystemUnderTest.Token,
        };
        var id = Guid.NewGuid().ToString();

        // The gateway process (embedded broker) makes a PDA report a case and calls the traffic system, which texts
        // the owner; the process SIGKILLs itself when the answer is in, before the outbox records it.
        await using (var dying = GatewayProcess.Start("run", settings.ToProcessArgs(), crashAt: CrashPoint.DeliveryAnswered))
        {
            await using var pda = await OneThing.Edge.TestKit.Eventually.ReturnsAsync(() => TryConnectAsync(settings.MqttPort), c => c is not null, TimeSpan.FromSeconds(60), "gateway's broker listening");
            try
            {
                await pda!.PublishAsync(settings.Topics.Reports("pda-1"), Reports.Json(id, plate: "皖A53J96"));
            }
            catch (MQTTnet.Exceptions.MqttCommunicationException)
            {
                // The PUBACK may not make it out before the process kills itself; the report is on disk by then.
            }
            await dying.WaitForExitAsync(TimeSpan.FromSeconds(60), "SIGKILL after the traffic system's answer");
            Assert.Equal(GatewayProcess.KilledExitCode, dying.ExitCode);
        }
        var notice = Assert.Single(await traffic.NoticesAsync());
        Assert.Equal(Guid.Parse(id), notice.ViolationId);
        Assert.Equal("InFlight", await CaseMessageAsync(settings.DataDirectory, id, "state"));

        await using var restarted = GatewayProcess.Start("run", settings.ToProcessArgs());
        await Eventually.HoldsAsync(async () => await CaseMessageAsync(settings.DataDirectory, id, "state") == "Sent", "sent after the restart", timeoutMs: 60_000);
        // Sent: the gateway calls no more. Stopping the simulator waits for any call still in it.
        await traffic.StopAsync();
        Assert.Equal(notice, Assert.Single(traffic.NoticesSoFar));
        Assert.Equal(notice.CaseId, await ScalarAsync(settings.DataDirectory, $"SELECT case_id FROM violations WHERE id = '{id}'"));
    }

    private static async Task<OneThing.Edge.TestKit.TestMqttClient?> TryConnectAsync(int port)
    {
        try
        {
            return await OneThing.Edge.TestKit.TestMqttClient.ConnectAsync(port, "pda-1");
        }
        catch (MQTTnet.Exceptions.MqttCommunicationException)
        {
            return null; // not listening yet
        }
    }

    private static Task<string?> CaseMessageAsync(string data, string violationId, string column) =>
        ScalarAsync(data, $"SELECT {column} FROM outbox WHERE kind = 'violation' AND violation_id = '{violationId}'");

    /// <summary>One value from the gateway's edge.db, read beside the gateway process.</summary>
    private static async Task<string?> ScalarAsync(string data, string sql)
    {
        await using var connection = await new SqliteDatabase(Path.Combine(data, "edge.db")).OpenAsync(None);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync() is { } value and not DBNull ? Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) : null;
    }
}
