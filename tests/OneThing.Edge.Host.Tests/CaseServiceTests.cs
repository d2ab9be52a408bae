using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OneThing.Edge.Domain.Cases;
using OneThing.Edge.Domain.Evidence;
using OneThing.Edge.Domain.Outbox;
using OneThing.Edge.Domain.Violations;
using OneThing.Edge.Host.Cases;
using OneThing.Edge.Messaging;
using OneThing.Edge.Messaging.Transport;
using OneThing.Edge.Storage;
using OneThing.Edge.Storage.Audit;
using OneThing.Edge.Storage.Cases;
using OneThing.Edge.Storage.Outbox;
using OneThing.Edge.Storage.Reports;
using OneThing.Edge.Storage.Violations;
using OneThing.Edge.TestKit;
using Xunit;

namespace OneThing.Edge.Host.Tests;

/// <summary>
/// A case's life through the case service over a real SQLite file: the clearance deadline on both clocks (a frame's
/// capture time and the gateway's wall clock, a fake one here), escalation at once when nobody was texted, tickets. The transport only records what would go to the officers' PDAs.
/// </summary>
public sealed partial class CaseServiceTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan WatchFor = TimeSpan.FromMinutes(10);
    private static readonly TopicContract Topics = new("onething", "site-1");
    private readonly FakeTimeProvider _time = new(Start);
    private readonly Transport _bus = new();
    private readonly ServiceProvider _services;

    public CaseServiceTests()
    {
        var directory = TestPaths.NewTempDirectory("clearance");
        _services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<TimeProvider>(_time)
            .AddSingleton(new SqliteDatabase(Path.Combine(directory, "edge.db")))
            .AddSingleton(new FileStore(Path.Combine(directory, "files")))
            .AddSingleton<ViolationStore>()
            .AddSingleton<AuditLog>()
            .AddSingleton<CaseRecorder>()
            .AddSingleton<IGatewayBus>(_bus)
            .AddSingleton(Topics)
            .AddSingleton<CaseEvents>()
            .AddSingleton<TaskRecipients>()
            .AddSingleton<OfficerTasks>()
            .AddSingleton<CaseService>()
            .AddSingleton<SqliteOutboxAccess>()
            .Configure<ClearanceOptions>(o =>
            {
                o.WatchMinutes = WatchFor.TotalMinutes;
                o.OfficerDevices = ["pda-1", "pda-2"];
            })
            .BuildServiceProvider();
    }

    private CaseService Cases => _services.GetRequiredService<CaseService>();

    public Task InitializeAsync() => _services.GetRequiredService<SqliteDatabase>().MigrateAsync(CancellationToken.None);

    public Task DisposeAsync() => _services.DisposeAsync().AsTask();

    /// <summary>A camera case confirmed (capture time) at <paramref name="confirmedAt"/>, stored and under watch.</summary>
    private async Task<Guid> ConfirmedCaseAsync(DateTimeOffset confirmedAt, string plate = "沪AF71017")
    {
        var violation = new Violation(Guid.NewGuid(), Topics.SiteId, "lane-a", ViolationSource.Camera, "cam-1", null, null, plate, 0.93, confirmedAt.AddMinutes(-2), confirmedAt, []);
        Assert.True(await Cases.ConfirmAsync(violation, new EvidenceManifest(violation.Id, []), CancellationToken.None));
        return violation.Id;
    }

    private async Task<CaseState> StateAsync(Guid id) => (await _services.GetRequiredService<ViolationStore>().GetAsync(id, CancellationToken.None))!.State;

    [Fact]
    public async Task A_case_whose_camera_went_silent_is_escalated_on_the_wall_clock()
    {
        var id = await ConfirmedCaseAsync(Start);

        _time.Advance(WatchFor - TimeSpan.FromSeconds(1));
        await Cases.TickWallClockAsync(CancellationToken.None);
        Assert.Empty(_bus.Tasks);
        Assert.NotEqual(CaseState.Escalated, await StateAsync(id));

        _time.Advance(TimeSpan.FromSeconds(1));
        await Cases.TickWallClockAsync(CancellationToken.None);

        Assert.Equal(["pda-1", "pda-2"], _bus.Tasks.Select(t => t.Device).Order(StringComparer.Ordinal));
        var task = _bus.Tasks[0].Json;
        Assert.Equal(id, task.GetProperty("violationId").GetGuid());
        Assert.Equal("still parked after the notice", task.GetProperty("reason").GetString());
        Assert.Equal(CaseState.Escalated, await StateAsync(id));
    }

    [Fact]
    public async Task A_case_due_on_both_clocks_at_once_is_escalated_once()
    {
        var id = await ConfirmedCaseAsync(Start);
        _time.Advance(WatchFor + TimeSpan.FromSeconds(5));

        // A late frame and the wall-clock job find the case due at the same moment, then again later.
        await Task.WhenAll(
            Cases.TickAsync(Start + WatchFor, CancellationToken.None),
            Cases.TickWallClockAsync(CancellationToken.None),
            Cases.TickAsync(Start + WatchFor + TimeSpan.FromSeconds(1), CancellationToken.None));
        await Cases.TickAsync(Start + WatchFor + TimeSpan.FromSeconds(2), CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(1));
        await Cases.TickWallClockAsync(CancellationToken.None);

        Assert.Equal(2, _bus.Tasks.Count); // one per officer
        Assert.Single(_bus.Events, e => e.GetProperty("event").GetString() == "escalated" && e.GetProperty("violationId").GetGuid() == id);
    }

    [Fact]
    public async Task Capture_time_alone_escalates_at_the_deadline_and_not_a_case_that_left()
    {
        var left = await ConfirmedCaseAsync(Start, "沪AF71017");
        var stays = await ConfirmedCaseAsync(Start + TimeSpan.FromMinutes(5), "苏ED51712");
        await Cases.DepartedAsync(left, Start + TimeSpan.FromMinutes(1), CancellationToken.None);

        // Replay: frames only, the wall clock never moves.
        await Cases.TickAsync(Start + WatchFor, CancellationToken.None);
        await Cases.TickAsync(Start + TimeSpan.FromMinutes(5) + WatchFor - TimeSpan.FromMilliseconds(1), CancellationToken.None);
        Assert.Empty(_bus.Tasks);

        await Cases.TickAsync(Start + TimeSpan.FromMinutes(5) + WatchFor, CancellationToken.None);
        Assert.All(_bus.Tasks, t => Assert.Equal(stays, t.Json.GetProperty("violationId").GetGuid()));
        Assert.Equal(2, _bus.Tasks.Count);
        Assert.Equal(CaseState.Cleared, await StateAsync(left));
    }

    [Fact]
    public async Task A_task_the_broker_refused_is_sent_at_a_later_tick()
    {
        var id = await ConfirmedCaseAsync(Start);
        _time.Advance(WatchFor);
        _bus.Down = true;

        await Assert.ThrowsAsync<InvalidOperationException>(() => Cases.TickWallClockAsync(CancellationToken.None));
        Assert.Empty(_bus.Tasks);

        _bus.Down = false;
        _time.Advance(TimeSpan.FromSeconds(15));
        await Cases.TickWallClockAsync(CancellationToken.None);
        Assert.Equal(["pda-1", "pda-2"], _bus.Tasks.Select(t => t.Device).Order(StringComparer.Ordinal));
        Assert.Equal(CaseState.Escalated, await StateAsync(id));
    }

    [Fact]
    public async Task A_departure_that_could_not_be_written_is_written_at_a_later_tick_and_never_escalated()
    {
        var id = await ConfirmedCaseAsync(Start);
        await RenameAsync("outbox", "outbox_away"); // the clearance's write fails, as on a full or broken disk

        await Assert.ThrowsAsync<SqliteException>(() => Cases.DepartedAsync(id, Start + TimeSpan.FromMinutes(3), CancellationToken.None));
        _time.Advance(WatchFor + TimeSpan.FromMinutes(1));
        await Assert.ThrowsAsync<SqliteException>(() => Cases.TickWallClockAsync(CancellationToken.None));
        Assert.Empty(_bus.Tasks); // the car left: no officer, even past the deadline
        Assert.NotEqual(CaseState.Cleared, await StateAsync(id));

        await RenameAsync("outbox_away", "outbox");
        await Cases.TickWallClockAsync(CancellationToken.None);
        Assert.Equal(CaseState.Cleared, await StateAsync(id));
        Assert.Single(_bus.Events, e => e.GetProperty("event").GetString() == "cleared");
        Assert.Empty(_bus.Tasks);

        await Cases.DepartedAsync(id, Start + TimeSpan.FromMinutes(4), CancellationToken.None); // a late repeat changes nothing
        Assert.Single(_bus.Events, e => e.GetProperty("event").GetString() == "cleared");
    }

    [Fact]
    public async Task A_case_without_an_owner_reaches_the_officers_at_once_not_after_the_wait()
    {
        var id = await ConfirmedCaseAsync(Start);
        await DeliverAsync(id, new CaseReceipt("TS-1", NoticeStatuses.NoOwner, null));

        Assert.Equal(["pda-1", "pda-2"], _bus.Tasks.Select(t => t.Device).Order(StringComparer.Ordinal));
        Assert.Equal("no owner on record for the plate", _bus.Tasks[0].Json.GetProperty("reason").GetString());
        Assert.Equal(CaseState.Escalated, await StateAsync(id));
        Assert.Equal(["confirmed", "forwarded", "no-owner", "escalated"], _bus.Events.Select(e => e.GetProperty("event").GetString()));

        _time.Advance(WatchFor + TimeSpan.FromMinutes(1));
        await Cases.TickWallClockAsync(CancellationToken.None);
        Assert.Equal(2, _bus.Tasks.Count); // the deadline finds it escalated: no second task
    }

    [Fact]
    public async Task A_notified_case_waits_for_the_deadline()
    {
        var id = await ConfirmedCaseAsync(Start);
        await DeliverAsync(id, new CaseReceipt("TS-2", NoticeStatuses.Sent, Start));

        Assert.Empty(_bus.Tasks);
        Assert.Equal(CaseState.Notified, await StateAsync(id));
        Assert.Equal(["confirmed", "forwarded", "notified"], _bus.Events.Select(e => e.GetProperty("event").GetString()));
    }

    [Fact]
    public async Task A_case_whose_message_was_given_up_on_reaches_the_officers_at_once()
    {
        var id = await ConfirmedCaseAsync(Start);
        var outbox = _services.GetRequiredService<SqliteOutboxAccess>().Outbox;
        var message = Assert.Single(await outbox.ClaimDueAsync(10, CancellationToken.None));
        await outbox.DeadLetterAsync(message.Id, "400: plate: malformed", CancellationToken.None);
        await Cases.DeadLetteredAsync(id, message.Kind, "400: plate: malformed", CancellationToken.None);

        Assert.Equal(2, _bus.Tasks.Count);
        Assert.Equal("the case never reached the traffic system", _bus.Tasks[0].Json.GetProperty("reason").GetString());
        Assert.Equal(CaseState.Escalated, await StateAsync(id));
    }

    [Fact]
    public async Task An_escalated_case_is_ticketed_once_and_a_departure_after_it_changes_nothing()
    {
        var id = await ConfirmedCaseAsync(Start);
        await Cases.TickAsync(Start + WatchFor, CancellationToken.None);

        await Cases.TicketAsync(id, Start + WatchFor + TimeSpan.FromMinutes(3), CancellationToken.None);
        await Cases.DepartedAsync(id, Start + WatchFor + TimeSpan.FromMinutes(5), CancellationToken.None);

        Assert.Equal(CaseState.Ticketed, await StateAsync(id));
        Assert.Single(_bus.Events, e => e.GetProperty("event").GetString() == "ticketed");
        Assert.DoesNotContain(_bus.Events, e => e.GetProperty("event").GetString() is "cleared" or "closed");
        await Assert.ThrowsAsync<IllegalCaseTransitionException>(() => Cases.TicketAsync(id, Start + WatchFor, CancellationToken.None));
    }

    [Fact]
    public async Task A_car_that_leaves_after_the_escalation_closes_its_case()
    {
        var id = await ConfirmedCaseAsync(Start);
        await Cases.TickAsync(Start + WatchFor, CancellationToken.None);
        await Cases.DepartedAsync(id, Start + WatchFor + TimeSpan.FromMinutes(2), CancellationToken.None);

        Assert.Equal(CaseState.Closed, await StateAsync(id));
        var closed = Assert.Single(_bus.Events, e => e.GetProperty("event").GetString() == "closed");
        Assert.Equal(ClearanceOutcomes.Escalated, closed.GetProperty("details").GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task After_a_restart_a_case_with_no_owner_and_no_task_yet_still_reaches_the_officers()
    {
        var id = await ConfirmedCaseAsync(Start);
        var outbox = _services.GetRequiredService<SqliteOutboxAccess>().Outbox;
        var message = Assert.Single(await outbox.ClaimDueAsync(10, CancellationToken.None));
        await outbox.MarkSentAsync(message.Id, new CaseReceipt("TS-3", NoticeStatuses.NoOwner, null), CancellationToken.None);
        Assert.Empty(_bus.Tasks); // the process died before the listener heard of the receipt

        var restarted = ActivatorUtilities.CreateInstance<CaseService>(_services);
        await restarted.StartAsync(CancellationToken.None);

        Assert.Equal(2, _bus.Tasks.Count);
        Assert.Equal(CaseState.Escalated, await StateAsync(id));
    }

    /// <summary>What the outbox dispatcher does with a receipt: record it (the state moves), then tell the case service.</summary>
    private async Task DeliverAsync(Guid id, CaseReceipt receipt)
    {
        var outbox = _services.GetRequiredService<SqliteOutboxAccess>().Outbox;
        var message = Assert.Single(await outbox.ClaimDueAsync(10, CancellationToken.None));
        await outbox.MarkSentAsync(message.Id, receipt, CancellationToken.None);
        await Cases.DeliveredAsync(id, receipt, CancellationToken.None);
    }

    private sealed class SqliteOutboxAccess(SqliteDatabase database, TimeProvider time)
    {
        public SqliteOutbox Outbox { get; } = new(database, Microsoft.Extensions.Options.Options.Create(new OutboxOptions()), time);
    }

    private async Task RenameAsync(string table, string to)
    {
        await using var connection = await _services.GetRequiredService<SqliteDatabase>().OpenAsync(CancellationToken.None);
        await using var command = connection.CreateCommand();
        command.CommandText = $"ALTER TABLE {table} RENAME TO {to}";
        await command.ExecuteNonQueryAsync(CancellationToken.None);
    }
}
