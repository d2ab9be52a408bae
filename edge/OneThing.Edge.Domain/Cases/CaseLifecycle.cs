namespace OneThing.Edge.Domain.Cases;

/// <summary>Where a case stands in the loop. Stored and published by <see cref="CaseLifecycle.Name"/> ("no-owner").</summary>
public enum CaseState
{
    /// <summary>Recorded on the gateway, not yet accepted by the traffic system.</summary>
    Confirmed,

    /// <summary>The traffic system has the case; the owner's notice is queued there or its status unknown.</summary>
    Forwarded,

    /// <summary>The owner was texted.</summary>
    Notified,

    /// <summary>The traffic system has no owner for the plate: nobody was texted, an officer goes.</summary>
    NoOwner,

    /// <summary>The case never reached the traffic system (given up on): nobody was texted, an officer goes.</summary>
    DeadLettered,

    /// <summary>An officer has the case as a task (the car stayed, or nobody could be texted).</summary>
    Escalated,

    /// <summary>The car left before an officer was sent. Closed.</summary>
    Cleared,

    /// <summary>An officer answered the task with a ticket. Closed.</summary>
    Ticketed,

    /// <summary>The car left after an officer was sent, before a ticket. Closed.</summary>
    Closed,
}

/// <summary>What happens to a case; each step is allowed from some states only (<see cref="CaseLifecycle.Transitions"/>).</summary>
public enum CaseStep
{
    /// <summary>The traffic system accepted the case; the notice is queued or its status unknown.</summary>
    Forward,

    /// <summary>The traffic system accepted the case and texted the owner.</summary>
    Notify,

    /// <summary>The traffic system accepted the case and has no owner for the plate.</summary>
    ReportNoOwner,

    /// <summary>The case message was given up on (permanent refusal or too old).</summary>
    DeadLetter,

    /// <summary>A task went to the officers.</summary>
    Escalate,

    /// <summary>The car left; before an escalation this clears the case, after one it closes it.</summary>
    Depart,

    /// <summary>An officer's report answered the task.</summary>
    Ticket,

    /// <summary>An officer's report of the same car was merged into the case (photos added, state kept).</summary>
    Merge,
}

/// <summary>One allowed step: from a state, by a step, to a state.</summary>
public sealed record CaseTransition(CaseState From, CaseStep Step, CaseState To);

/// <summary>Refused step: the message names the case, its state and the step, so a log line says what went wrong.</summary>
public sealed class IllegalCaseTransitionException(Guid caseId, CaseState from, CaseStep step)
    : InvalidOperationException($"Case {caseId} is {CaseLifecycle.Name(from)}; it cannot {step}.")
{
    public Guid CaseId { get; } = caseId;

    public CaseState From { get; } = from;

    public CaseStep Step { get; } = step;
}

/// <summary>
/// The one definition of a case's life: confirmed -> forwarded -> notified or no-owner -> cleared or escalated ->
/// ticketed or closed; a case message given up on is dead-lettered (and goes to an officer, as no-owner does).
/// Every module asks this type; no state name is written anywhere else.
/// </summary>
public static class CaseLifecycle
{
    private static readonly CaseState[] Unnotified = [CaseState.Confirmed, CaseState.Forwarded];
    private static readonly CaseState[] OnSite = [CaseState.Confirmed, CaseState.Forwarded, CaseState.Notified, CaseState.NoOwner, CaseState.DeadLettered];

    public static IReadOnlyList<CaseTransition> Transitions { get; } =
    [
        .. Unnotified.SelectMany(s => new[]
        {
            new CaseTransition(s, CaseStep.Forward, CaseState.Forwarded),
            new CaseTransition(s, CaseStep.Notify, CaseState.Notified),
            new CaseTransition(s, CaseStep.ReportNoOwner, CaseState.NoOwner),
        }),
        new CaseTransition(CaseState.Confirmed, CaseStep.DeadLetter, CaseState.DeadLettered),
        .. OnSite.SelectMany(s => new[]
        {
            new CaseTransition(s, CaseStep.Escalate, CaseState.Escalated),
            new CaseTransition(s, CaseStep.Depart, CaseState.Cleared),
            new CaseTransition(s, CaseStep.Merge, s),
        }),
        new CaseTransition(CaseState.Escalated, CaseStep.Depart, CaseState.Closed),
        new CaseTransition(CaseState.Escalated, CaseStep.Ticket, CaseState.Ticketed),
        new CaseTransition(CaseState.Escalated, CaseStep.Merge, CaseState.Escalated),
    ];

    private static readonly Dictionary<(CaseState, CaseStep), CaseState> Next = Transitions.ToDictionary(t => (t.From, t.Step), t => t.To);

    /// <summary>States whose loop is still running: the car may still be there.</summary>
    public static IReadOnlyList<CaseState> OpenStates { get; } = [.. OnSite, CaseState.Escalated];

    /// <summary>States with no way out.</summary>
    public static IReadOnlyList<CaseState> FinalStates { get; } = [.. Enum.GetValues<CaseState>().Except(OpenStates)];

    public static bool IsOpen(CaseState state) => OpenStates.Contains(state);

    /// <summary>The state after <paramref name="step"/>, or null when the step is not allowed from <paramref name="from"/>.</summary>
    public static CaseState? TryApply(CaseState from, CaseStep step) => Next.TryGetValue((from, step), out var to) ? to : null;

    /// <summary>The state after <paramref name="step"/>; throws <see cref="IllegalCaseTransitionException"/> when it is not allowed.</summary>
    public static CaseState Apply(Guid caseId, CaseState from, CaseStep step) =>
        TryApply(from, step) ?? throw new IllegalCaseTransitionException(caseId, from, step);

    /// <summary>Nobody was texted: an officer must go at once rather than after the clearance wait.</summary>
    public static bool NeedsOfficerNow(CaseState state) => state is CaseState.NoOwner or CaseState.DeadLettered;

    /// <summary>The traffic system's answer to a forwarded case as a step: sent, no-owner, or anything else (queued).</summary>
    public static CaseStep StepFor(string? noticeStatus) => noticeStatus switch
    {
        NoticeStatuses.Sent => CaseStep.Notify,
        NoticeStatuses.NoOwner => CaseStep.ReportNoOwner,
        _ => CaseStep.Forward,
    };

    /// <summary>The clearance outcome the traffic system is told when a case reaches <paramref name="final"/>.</summary>
    public static string ClearanceOutcome(CaseState final) => final switch
    {
        CaseState.Cleared => ClearanceOutcomes.LeftAfterNotice,
        CaseState.Closed => ClearanceOutcomes.Escalated,
        CaseState.Ticketed => ClearanceOutcomes.Ticketed,
        _ => throw new ArgumentOutOfRangeException(nameof(final), final, "only a closed case has a clearance outcome"),
    };

    /// <summary>The state's name as stored in SQLite and published in events: lower-case, words joined by '-'.</summary>
    public static string Name(CaseState state) => Names[(int)state];

    public static CaseState Parse(string name) =>
        Array.IndexOf(Names, name) is var i and >= 0 ? (CaseState)i : throw new FormatException($"'{name}' is not a case state");

    private static readonly string[] Names = [.. Enum.GetValues<CaseState>().Select(s => Kebab(s.ToString()))];

    private static string Kebab(string pascal) =>
        string.Concat(pascal.Select((c, i) => char.IsUpper(c) && i > 0 ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}

/// <summary>Notice statuses as the traffic-system contract names them.</summary>
public static class NoticeStatuses
{
    public const string Sent = "sent";
    public const string Queued = "queued";
    public const string NoOwner = "no-owner";
}

/// <summary>Clearance outcomes as the traffic-system contract names them.</summary>
public static class ClearanceOutcomes
{
    public const string LeftAfterNotice = "left-after-notice";
    public const string Escalated = "escalated";
    public const string Ticketed = "ticketed";
}
