namespace OneThing.Edge.Domain.Cases;

/// <summary>What a clock step found: cases to escalate, and departures whose clearance must be written again.</summary>
public sealed record DeadlinesDue(IReadOnlyList<Guid> Escalate, IReadOnlyList<(Guid CaseId, DateTimeOffset LastSeenAt)> Departures);

/// <summary>
/// The clearance deadline of each open case: confirmation's capture time + the watch time. Any clock may advance it
/// (a frame's capture time, so replays decide exactly as live operation; the wall clock, for a camera that went
/// silent); whichever passes a deadline first escalates, exactly once. Thread-safe: frames and the wall-clock job
/// call it at once.
/// </summary>
public sealed class ClearanceDeadlines
{
    private readonly Dictionary<Guid, Deadline> _cases = [];
    private readonly Lock _gate = new();

    // No case awaiting escalation was confirmed before this (a lower bound), so a clock before this + the watch
    // time has nothing to do: most frames return at this check.
    private DateTimeOffset _earliest = DateTimeOffset.MaxValue;

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _cases.Count;
            }
        }
    }

    /// <summary>Starts the deadline of a case confirmed at <paramref name="confirmedAt"/> (kept if already tracked).</summary>
    public void Track(Guid caseId, DateTimeOffset confirmedAt, bool escalated = false)
    {
        lock (_gate)
        {
            if (_cases.TryAdd(caseId, new Deadline(confirmedAt) { Escalated = escalated }) && !escalated)
            {
                _earliest = Min(_earliest, confirmedAt);
            }
        }
    }

    /// <summary>True for the first report that the car left; false for a repeat or an unknown case.</summary>
    public bool TryMarkDeparted(Guid caseId, DateTimeOffset lastSeenAt)
    {
        lock (_gate)
        {
            if (!_cases.TryGetValue(caseId, out var deadline) || deadline.DepartedAt is not null)
            {
                return false;
            }
            deadline.DepartedAt = lastSeenAt;
            return true;
        }
    }

    /// <summary>The departure's clearance could not be written (disk full): the next step hands it back, never escalated.</summary>
    public void DepartureNotRecorded(Guid caseId)
    {
        lock (_gate)
        {
            if (_cases.TryGetValue(caseId, out var deadline))
            {
                deadline.DepartureUnrecorded = true;
                _earliest = DateTimeOffset.MinValue;
            }
        }
    }

    /// <summary>
    /// True for exactly one caller per escalation. A case not tracked (an escalation before its deadline, e.g. no
    /// owner) is tracked from <paramref name="at"/>.
    /// </summary>
    public bool TryMarkEscalated(Guid caseId, DateTimeOffset at)
    {
        lock (_gate)
        {
            if (!_cases.TryGetValue(caseId, out var deadline))
            {
                _cases[caseId] = new Deadline(at) { Escalated = true };
                return true;
            }
            if (deadline.Escalated || deadline.DepartedAt is not null)
            {
                return false;
            }
            deadline.Escalated = true;
            return true;
        }
    }

    /// <summary>The escalation was not sent (database or broker failing): the case is due again at the next step.</summary>
    public void EscalationFailed(Guid caseId)
    {
        lock (_gate)
        {
            if (_cases.TryGetValue(caseId, out var deadline))
            {
                deadline.Escalated = false;
                _earliest = Min(_earliest, deadline.ConfirmedAt);
            }
        }
    }

    /// <summary>The case's loop is closed (cleared, ticketed, closed): no deadline any more.</summary>
    public void Forget(Guid caseId)
    {
        lock (_gate)
        {
            _cases.Remove(caseId);
        }
    }

    /// <summary>Advances the clock to <paramref name="now"/>; cases past their deadline are marked escalated and returned.</summary>
    public DeadlinesDue Advance(DateTimeOffset now, TimeSpan watchFor)
    {
        lock (_gate)
        {
            if (now - _earliest < watchFor)
            {
                return Nothing;
            }
            List<Guid> due = [];
            List<(Guid, DateTimeOffset)> departures = [];
            var earliest = DateTimeOffset.MaxValue;
            foreach (var (id, deadline) in _cases)
            {
                if (deadline.DepartureUnrecorded)
                {
                    deadline.DepartureUnrecorded = false;
                    departures.Add((id, deadline.DepartedAt!.Value));
                }
                else if (deadline.Escalated || deadline.DepartedAt is not null)
                {
                    continue;
                }
                else if (now - deadline.ConfirmedAt >= watchFor)
                {
                    deadline.Escalated = true;
                    due.Add(id);
                }
                else
                {
                    earliest = Min(earliest, deadline.ConfirmedAt);
                }
            }
            _earliest = earliest;
            return new DeadlinesDue(due, departures);
        }
    }

    private static readonly DeadlinesDue Nothing = new([], []);

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private sealed class Deadline(DateTimeOffset confirmedAt)
    {
        public DateTimeOffset ConfirmedAt { get; } = confirmedAt;

        public bool Escalated { get; set; }

        /// <summary>When the camera last saw the car in place, once it has left.</summary>
        public DateTimeOffset? DepartedAt { get; set; }

        public bool DepartureUnrecorded { get; set; }
    }
}
