using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Options;
using OneThing.Edge.Domain.Outbox;
using OneThing.Edge.Messaging;
using OneThing.Edge.Messaging.Transport;
using OneThing.Edge.Storage.Cases;
using OneThing.Edge.Storage.Violations;

namespace OneThing.Edge.Host.Cases;

/// <summary>`OneThing:Clearance`: how long the car may stay after the notice, and which officers get the task.</summary>
public sealed class ClearanceOptions
{
    public const string Section = "OneThing:Clearance";

    public double WatchMinutes { get; set; } = 15;

    /// <summary>PDA device ids of the officers on duty for this site; each gets escalation tasks.</summary>
    public List<string> OfficerDevices { get; set; } = [];

    public double TaskDueMinutes { get; set; } = 30;
}

/// <summary>
/// Closes the loop after a notice: the car leaves within `WatchMinutes` -> cleared (left-after-notice); it stays ->
/// a task to the officers' PDAs (escalated); an officer's report answering the task -> closed (ticketed).
/// The deadline of a case is its confirmation's capture time + `WatchMinutes`, and it is escalated when EITHER clock
/// passes it: the capture time of any camera's frame (so replays, which have no wall clock, decide exactly as live
/// operation does), or the gateway's wall clock (<see cref="ClearanceClockJob"/>, so a case whose camera stopped
/// sending still reaches an officer). Whichever comes first escalates; the other finds the case escalated.
/// </summary>
public sealed partial class ClearanceWatcher(
    ViolationStore violations,
    CaseRecorder cases,
    ViolationEvents events,
    IGatewayBus bus,
    TopicContract topics,
    IOptionsMonitor<ClearanceOptions> options,
    TimeProvider time,
    ILogger<ClearanceWatcher> logger) : IViolationLifecycle, IHostedService
{
    private const string StillParked = "still parked after the notice";
    private readonly ConcurrentDictionary<Guid, CaseWatch> _watches = new();
    private readonly Lock _gate = new();

    // No case awaiting escalation was confirmed before this (a lower bound: cases that left may keep it early), so a
    // clock before this + WatchMinutes has nothing to do; every frame calls TickAsync, most return at this check.
    private DateTimeOffset _earliestWatched = DateTimeOffset.MaxValue;

    public static string TaskId(Guid violationId) => $"task-{violationId}";

    public static Guid? ViolationOfTask(string? taskId) =>
        taskId is not null && taskId.StartsWith("task-", StringComparison.Ordinal) && Guid.TryParse(taskId[5..], out var id) ? id : null;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // Open cases live in storage: after a restart the watch goes on where it stood.
        foreach (var open in await cases.CasesAsync(openOnly: true, cancellationToken))
        {
            Add(open.Id, new CaseWatch(open.LaneId, open.Plate, open.ConfirmedAt, escalated: open.State == "escalated"));
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>A camera case was confirmed: its watch starts at the confirmation's capture time.</summary>
    public void Watch(Guid violationId, string laneId, string? plate, DateTimeOffset confirmedAt) =>
        Add(violationId, new CaseWatch(laneId, plate, confirmedAt));

    private void Add(Guid violationId, CaseWatch watch)
    {
        lock (_gate)
        {
            if (_watches.TryAdd(violationId, watch) && !watch.Escalated && watch.ConfirmedAt < _earliestWatched)
            {
                _earliestWatched = watch.ConfirmedAt;
            }
        }
    }

    /// <summary>The camera saw the car of a case leave (last seen in place at <paramref name="lastSeenAt"/>).</summary>
    public async Task DepartedAsync(Guid violationId, DateTimeOffset lastSeenAt, CancellationToken cancellationToken)
    {
        if (_watches.TryGetValue(violationId, out var watch) && watch.TryMarkDeparted(lastSeenAt))
        {
            await RecordDepartureAsync(violationId, watch, cancellationToken);
        }
    }

    /// <summary>
    /// Writes the clearance, then forgets the watch. If the write fails (disk full, database failing) the watch stays,
    /// marked departed, so it is never escalated, and the next tick writes it again: the camera reports a departure once.
    /// </summary>
    private async Task RecordDepartureAsync(Guid violationId, CaseWatch watch, CancellationToken cancellationToken)
    {
        var lastSeenAt = watch.DepartedAt!.Value;
        var outcome = watch.Escalated ? ClearanceOutcomes.Escalated : ClearanceOutcomes.LeftAfterNotice;
        try
        {
            await violations.EnqueueClearanceAsync(violationId, new Clearance(lastSeenAt, outcome), cancellationToken);
        }
        catch
        {
            lock (_gate)
            {
                watch.DepartureUnrecorded = true;
                _earliestWatched = DateTimeOffset.MinValue; // the next tick looks at the watches
            }
            throw;
        }
        _watches.TryRemove(violationId, out _);
        violations.SignalDispatcher();
        LogCleared(violationId, outcome, (lastSeenAt - watch.ConfirmedAt).TotalMinutes);
        await events.PublishAsync("cleared", violationId, new { outcome, clearedAt = lastSeenAt }, cancellationToken);
    }

    /// <summary>Advances the watch to the gateway's wall clock (for cameras that stopped sending).</summary>
    public Task TickWallClockAsync(CancellationToken cancellationToken) => TickAsync(time.GetUtcNow(), cancellationToken);

    /// <summary>
    /// Advances the watch to <paramref name="now"/> (a frame's capture time, or the wall clock): cars still there after
    /// the watch time are escalated.
    /// </summary>
    public async Task TickAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var watchFor = TimeSpan.FromMinutes(options.CurrentValue.WatchMinutes);
        List<Guid> due = [];
        List<(Guid, CaseWatch)> departed = [];
        lock (_gate)
        {
            if (now - _earliestWatched < watchFor)
            {
                return;
            }
            var earliest = DateTimeOffset.MaxValue;
            foreach (var (id, watch) in _watches)
            {
                if (watch.DepartureUnrecorded)
                {
                    watch.DepartureUnrecorded = false;
                    departed.Add((id, watch));
                    continue;
                }
                if (watch.Escalated || watch.DepartedAt is not null)
                {
                    continue;
                }
                if (now - watch.ConfirmedAt >= watchFor)
                {
                    due.Add(id);
                }
                else if (watch.ConfirmedAt < earliest)
                {
                    earliest = watch.ConfirmedAt;
                }
            }
            _earliestWatched = earliest;
        }
        foreach (var (id, watch) in departed)
        {
            await RecordDepartureAsync(id, watch, cancellationToken);
        }
        foreach (var id in due)
        {
            await EscalateAsync(id, StillParked, now, cancellationToken);
        }
    }

    /// <summary>Sends the case to the officers' PDAs as a task (car stayed, or its plate could not be read).</summary>
    public async Task EscalateAsync(Guid violationId, string reason, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var watch = _watches.GetOrAdd(violationId, _ => new CaseWatch("", null, at));
        if (!watch.TryMarkEscalated())
        {
            return;
        }
        try
        {
            await SendTaskAsync(violationId, watch, reason, at, cancellationToken);
        }
        catch
        {
            // Not sent (database or broker failing): the case is due again at the next tick instead of never.
            watch.UnmarkEscalated();
            lock (_gate)
            {
                if (watch.ConfirmedAt < _earliestWatched)
                {
                    _earliestWatched = watch.ConfirmedAt;
                }
            }
            throw;
        }
    }

    private async Task SendTaskAsync(Guid violationId, CaseWatch watch, string reason, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await violations.SetStateAsync(violationId, ViolationState.Escalated, cancellationToken);
        var stored = await violations.GetAsync(violationId, cancellationToken);
        var task = new
        {
            taskId = TaskId(violationId),
            violationId,
            laneId = stored?.Violation.LaneId ?? watch.LaneId,
            plate = stored?.Violation.Plate ?? watch.Plate,
            location = new { site = topics.SiteId, cameraId = stored?.Violation.CameraId, laneId = stored?.Violation.LaneId },
            evidence = stored?.Violation.Evidence.Select(e => new { e.Kind, e.Sha256, e.CapturedAt }) ?? [],
            reason,
            dueBy = at.AddMinutes(options.CurrentValue.TaskDueMinutes),
        };
        var payload = JsonSerializer.SerializeToUtf8Bytes(task, PdaJson.Options);
        foreach (var device in options.CurrentValue.OfficerDevices)
        {
            await bus.PublishAsync(topics.Tasks(device), payload, retain: false, cancellationToken);
        }
        LogEscalated(violationId, reason, options.CurrentValue.OfficerDevices.Count);
        await events.PublishAsync("escalated", violationId, new { reason, taskId = task.taskId, officers = options.CurrentValue.OfficerDevices.Count }, cancellationToken);
    }

    /// <summary>An officer's report answered the task: the case is closed as ticketed.</summary>
    public async Task TicketedAsync(Guid violationId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        _watches.TryRemove(violationId, out _);
        await violations.EnqueueClearanceAsync(violationId, new Clearance(at, ClearanceOutcomes.Ticketed), cancellationToken);
        violations.SignalDispatcher();
        await events.PublishAsync("closed", violationId, new { outcome = ClearanceOutcomes.Ticketed, closedAt = at }, cancellationToken);
    }

    public Task ForwardedAsync(Guid violationId, CaseReceipt receipt, CancellationToken cancellationToken) =>
        events.PublishAsync("forwarded", violationId, new { receipt.CaseId, notice = receipt.NoticeStatus }, cancellationToken);

    public async Task NotifiedAsync(Guid violationId, CaseReceipt receipt, CancellationToken cancellationToken)
    {
        await events.PublishAsync("notified", violationId, new { receipt.CaseId, notice = receipt.NoticeStatus, receipt.NoticeSentAt }, cancellationToken);
        if (receipt.NoticeStatus == "no-owner" && _watches.TryGetValue(violationId, out var watch))
        {
            // Nobody to text: an officer goes at once.
            await EscalateAsync(violationId, "no owner on record for the plate", watch.ConfirmedAt, cancellationToken);
        }
    }

    public Task DeadLetteredAsync(Guid violationId, string kind, string reason, CancellationToken cancellationToken) =>
        events.PublishAsync("dead-lettered", violationId, new { kind, reason }, cancellationToken);

    private sealed class CaseWatch(string laneId, string? plate, DateTimeOffset confirmedAt, bool escalated = false)
    {
        private readonly Lock _departure = new();
        private int _escalated = escalated ? 1 : 0;

        public string LaneId => laneId;
        public string? Plate => plate;
        public DateTimeOffset ConfirmedAt => confirmedAt;
        public bool Escalated => Volatile.Read(ref _escalated) == 1;

        /// <summary>True for exactly one caller: a frame and the wall-clock job may both find the case due at once.</summary>
        public bool TryMarkEscalated() => Interlocked.Exchange(ref _escalated, 1) == 0;

        public void UnmarkEscalated() => Volatile.Write(ref _escalated, 0);

        /// <summary>When the camera last saw the car in place, once it has left.</summary>
        public DateTimeOffset? DepartedAt { get; private set; }

        /// <summary>The departure's clearance could not be written yet (changed under the watcher's lock).</summary>
        public bool DepartureUnrecorded { get; set; }

        /// <summary>True for the first report of the car leaving.</summary>
        public bool TryMarkDeparted(DateTimeOffset lastSeenAt)
        {
            lock (_departure)
            {
                if (DepartedAt is not null)
                {
                    return false;
                }
                DepartedAt = lastSeenAt;
                return true;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Case {ViolationId} cleared ({Outcome}) {Minutes:0.0} min after confirmation")]
    private partial void LogCleared(Guid violationId, string outcome, double minutes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Case {ViolationId} escalated to {Officers} officer PDA(s): {Reason}")]
    private partial void LogEscalated(Guid violationId, string reason, int officers);
}
