using Microsoft.Extensions.Options;
using OneThing.Edge.Domain.Cases;
using OneThing.Edge.Domain.Evidence;
using OneThing.Edge.Domain.Outbox;
using OneThing.Edge.Domain.Plates;
using OneThing.Edge.Domain.Violations;
using OneThing.Edge.Messaging.Contracts;
using OneThing.Edge.Storage.Cases;
using OneThing.Edge.Storage.Violations;

namespace OneThing.Edge.Host.Cases;

/// <summary>
/// The one owner of a case's life on the gateway. Every step goes through <see cref="CaseLifecycle"/> and is stored
/// with its audit entry in one transaction (storage does that); then this service publishes the event, sends the
/// officers' task and keeps the clearance deadline. The car leaves within `WatchMinutes` -> cleared; it stays, or
/// nobody could be texted (no owner, unreadable plate, case given up on) -> escalated; an officer's answer -> ticketed;
/// the car leaves after an escalation -> closed.
/// </summary>
public sealed partial class CaseService(
    CaseRecorder recorder,
    ViolationStore violations,
    CaseEvents events,
    OfficerTasks tasks,
    IOptionsMonitor<ClearanceOptions> options,
    TimeProvider time,
    ILogger<CaseService> logger) : ICaseDeliveryListener, IHostedService
{
    private const string StillParked = "still parked after the notice";
    private readonly ClearanceDeadlines _deadlines = new();

    /// <summary>Cases whose clearance deadline is kept (open cases).</summary>
    public int OpenCases => _deadlines.Count;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // Open cases live in storage: after a restart the deadlines go on where they stood.
        foreach (var open in await recorder.CasesAsync(openOnly: true, cancellationToken))
        {
            _deadlines.Track(open.Id, open.ConfirmedAt, escalated: open.State == CaseState.Escalated);
            if (CaseLifecycle.NeedsOfficerNow(open.State))
            {
                // Stopped between the receipt and the task: the officer still goes.
                await EscalateAsync(open.Id, Reason(open.State), open.ConfirmedAt, cancellationToken);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Records a confirmed case (camera or officer) with its evidence; false when its id was recorded before.</summary>
    public async Task<bool> ConfirmAsync(Violation violation, EvidenceManifest manifest, CancellationToken cancellationToken)
    {
        if (!await recorder.RecordAsync(violation, manifest, cancellationToken))
        {
            return false;
        }
        _deadlines.Track(violation.Id, violation.ConfirmedAt);
        if (violation.CameraId is { } cameraId)
        {
            LogConfirmed(violation.Id, cameraId, violation.LaneId, violation.Plate is null ? "(unreadable)" : PlateMask.ForLog(violation.Plate, logger.IsEnabled(LogLevel.Debug)), (violation.ConfirmedAt - violation.FirstSeenAt).TotalSeconds, manifest.Items.Count);
        }
        await events.PublishAsync(CaseLifecycle.Name(CaseState.Confirmed), violation.Id, new ConfirmedDetails(
            violation.Source.ToString().ToLowerInvariant(), violation.CameraId, violation.DeviceId, violation.LaneId,
            violation.Plate is not null, violation.PlateConfidence, violation.FirstSeenAt, violation.ConfirmedAt, manifest.Items.Count), cancellationToken);
        if (violation.Plate is null)
        {
            // No plate, no owner to text: an officer goes instead.
            await EscalateAsync(violation.Id, "plate unreadable", violation.ConfirmedAt, cancellationToken);
        }
        return true;
    }

    /// <summary>The camera saw the car of a case leave (last seen in place at <paramref name="lastSeenAt"/>).</summary>
    public async Task DepartedAsync(Guid violationId, DateTimeOffset lastSeenAt, CancellationToken cancellationToken)
    {
        if (_deadlines.TryMarkDeparted(violationId, lastSeenAt))
        {
            await RecordDepartureAsync(violationId, lastSeenAt, cancellationToken);
        }
    }

    /// <summary>
    /// Writes the departure (cleared, or closed after an escalation) with its clearance message. If the write fails
    /// (disk full, database failing) the deadline stays, marked departed, so it is never escalated, and the next
    /// clock step writes it again: the camera reports a departure once.
    /// </summary>
    private async Task RecordDepartureAsync(Guid violationId, DateTimeOffset lastSeenAt, CancellationToken cancellationToken)
    {
        CaseTransition ended;
        try
        {
            ended = await violations.EndAsync(violationId, CaseStep.Depart, lastSeenAt, cancellationToken);
        }
        catch (IllegalCaseTransitionException e)
        {
            // Already ended (an officer's ticket came first): nothing left to do.
            _deadlines.Forget(violationId);
            LogStepRefused(e.Message);
            return;
        }
        catch
        {
            _deadlines.DepartureNotRecorded(violationId);
            throw;
        }
        await EndedAsync(violationId, ended, lastSeenAt, cancellationToken);
    }

    /// <summary>A case reached a final state: no deadline any more; the event says the outcome the traffic system is told.</summary>
    private async Task EndedAsync(Guid violationId, CaseTransition ended, DateTimeOffset at, CancellationToken cancellationToken)
    {
        _deadlines.Forget(violationId);
        var outcome = CaseLifecycle.ClearanceOutcome(ended.To);
        LogEnded(violationId, CaseLifecycle.Name(ended.To), outcome);
        await events.PublishAsync(CaseLifecycle.Name(ended.To), violationId, new ClearanceDetails(outcome, at), cancellationToken);
    }

    /// <summary>Advances the deadlines to the gateway's wall clock (for cameras that stopped sending).</summary>
    public Task TickWallClockAsync(CancellationToken cancellationToken) => TickAsync(time.GetUtcNow(), cancellationToken);

    /// <summary>Advances the deadlines to <paramref name="now"/> (a frame's capture time, or the wall clock).</summary>
    public async Task TickAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var due = _deadlines.Advance(now, TimeSpan.FromMinutes(options.CurrentValue.WatchMinutes));
        foreach (var (id, lastSeenAt) in due.Departures)
        {
            await RecordDepartureAsync(id, lastSeenAt, cancellationToken);
        }
        foreach (var id in due.Escalate)
        {
            await SendEscalationAsync(id, StillParked, now, cancellationToken);
        }
    }

    /// <summary>Sends the case to the officers now (no owner, unreadable plate, never reached the traffic system); once.</summary>
    public async Task EscalateAsync(Guid violationId, string reason, DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (_deadlines.TryMarkEscalated(violationId, at))
        {
            await SendEscalationAsync(violationId, reason, at, cancellationToken);
        }
    }

    private async Task SendEscalationAsync(Guid violationId, string reason, DateTimeOffset at, CancellationToken cancellationToken)
    {
        int officers;
        try
        {
            var stored = await violations.GetAsync(violationId, cancellationToken)
                ?? throw new InvalidOperationException($"Violation {violationId} is not recorded.");
            if (stored.State != CaseState.Escalated)
            {
                // Already escalated when a task was sent but not delivered (broker down): only the task is repeated.
                await violations.StepAsync(violationId, CaseStep.Escalate, reason, cancellationToken);
            }
            officers = await tasks.SendAsync(stored, reason, at, cancellationToken);
        }
        catch (IllegalCaseTransitionException e)
        {
            // The case ended meanwhile (the car left, a ticket): no officer needed.
            _deadlines.Forget(violationId);
            LogStepRefused(e.Message);
            return;
        }
        catch
        {
            // Not sent (database or broker failing): due again at the next clock step instead of never.
            _deadlines.EscalationFailed(violationId);
            throw;
        }
        LogEscalated(violationId, reason, officers);
        await events.PublishAsync(CaseLifecycle.Name(CaseState.Escalated), violationId, new EscalatedDetails(reason, OfficerTask.IdOf(violationId), officers), cancellationToken);
    }

    /// <summary>An officer's report of the same car joined the case: its photos are evidence, no second notice.</summary>
    public async Task MergeAsync(Guid violationId, IReadOnlyList<EvidenceManifestItem> photos, string reportId, CancellationToken cancellationToken)
    {
        await recorder.MergeAsync(violationId, photos, reportId, cancellationToken);
        await events.PublishAsync(CaseEvent.Merged, violationId, new MergedDetails(reportId, photos.Count), cancellationToken);
    }

    /// <summary>An officer's report answered the task of an escalated case: ticketed, and the loop is closed.</summary>
    public async Task TicketAsync(Guid violationId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var ended = await violations.EndAsync(violationId, CaseStep.Ticket, at, cancellationToken);
        await EndedAsync(violationId, ended, at, cancellationToken);
    }

    /// <summary>The outbox recorded the traffic system's receipt (and moved the case) in one transaction.</summary>
    public async Task DeliveredAsync(Guid violationId, CaseReceipt receipt, CancellationToken cancellationToken)
    {
        var details = new DeliveredDetails(receipt.CaseId, receipt.NoticeStatus, receipt.NoticeSentAt);
        await events.PublishAsync(CaseLifecycle.Name(CaseState.Forwarded), violationId, details, cancellationToken);
        var step = CaseLifecycle.StepFor(receipt.NoticeStatus);
        if (step != CaseStep.Forward)
        {
            await events.PublishAsync(CaseLifecycle.Name(CaseLifecycle.Apply(violationId, CaseState.Forwarded, step)), violationId, details, cancellationToken);
        }
        await EscalateIfNobodyTextedAsync(violationId, cancellationToken);
    }

    public async Task DeadLetteredAsync(Guid violationId, string kind, string reason, CancellationToken cancellationToken)
    {
        await events.PublishAsync(CaseLifecycle.Name(CaseState.DeadLettered), violationId, new DeadLetteredDetails(kind, reason), cancellationToken);
        await EscalateIfNobodyTextedAsync(violationId, cancellationToken);
    }

    private async Task EscalateIfNobodyTextedAsync(Guid violationId, CancellationToken cancellationToken)
    {
        if (await violations.GetAsync(violationId, cancellationToken) is { } stored && CaseLifecycle.NeedsOfficerNow(stored.State))
        {
            await EscalateAsync(violationId, Reason(stored.State), stored.Violation.ConfirmedAt, cancellationToken);
        }
    }

    private static string Reason(CaseState state) =>
        state == CaseState.NoOwner ? "no owner on record for the plate" : "the case never reached the traffic system";

    [LoggerMessage(Level = LogLevel.Information, Message = "Violation {CaseId} confirmed: camera {CameraId}, lane {LaneId}, plate {Plate}, stopped {Seconds:0} s, {EvidenceCount} evidence files")]
    private partial void LogConfirmed(Guid caseId, string cameraId, string laneId, string plate, double seconds, int evidenceCount);

    [LoggerMessage(Level = LogLevel.Information, Message = "Case {ViolationId} {State} ({Outcome})")]
    private partial void LogEnded(Guid violationId, string state, string outcome);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Case {ViolationId} escalated to {Officers} officer PDA(s): {Reason}")]
    private partial void LogEscalated(Guid violationId, string reason, int officers);

    [LoggerMessage(Level = LogLevel.Information, Message = "Step not taken: {Reason}")]
    private partial void LogStepRefused(string reason);
}
