using OneThing.Edge.Domain.Cases;
using Xunit;

namespace OneThing.Edge.Domain.Tests.Cases;

public sealed class ClearanceDeadlinesTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 2, 8, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan WatchFor = TimeSpan.FromMinutes(15);
    private readonly ClearanceDeadlines _deadlines = new();

    [Fact]
    public void A_case_is_due_at_its_deadline_not_a_millisecond_before()
    {
        var id = Guid.NewGuid();
        _deadlines.Track(id, Start);

        Assert.Empty(_deadlines.Advance(Start + WatchFor - TimeSpan.FromMilliseconds(1), WatchFor).Escalate);
        Assert.Equal([id], _deadlines.Advance(Start + WatchFor, WatchFor).Escalate);
        Assert.Empty(_deadlines.Advance(Start + WatchFor + TimeSpan.FromHours(1), WatchFor).Escalate);
    }

    [Fact]
    public void A_case_whose_car_left_is_never_due()
    {
        var id = Guid.NewGuid();
        _deadlines.Track(id, Start);

        Assert.True(_deadlines.TryMarkDeparted(id, Start.AddMinutes(3)));
        Assert.False(_deadlines.TryMarkDeparted(id, Start.AddMinutes(4)));
        Assert.Empty(_deadlines.Advance(Start + WatchFor * 2, WatchFor).Escalate);
    }

    [Fact]
    public void A_departure_that_was_not_written_comes_back_once_and_is_not_escalated()
    {
        var id = Guid.NewGuid();
        _deadlines.Track(id, Start);
        _deadlines.TryMarkDeparted(id, Start.AddMinutes(3));
        _deadlines.DepartureNotRecorded(id);

        var due = _deadlines.Advance(Start.AddMinutes(4), WatchFor);
        Assert.Equal([(id, Start.AddMinutes(3))], due.Departures);
        Assert.Empty(due.Escalate);
        Assert.Empty(_deadlines.Advance(Start + WatchFor * 2, WatchFor).Departures);
    }

    [Fact]
    public void An_escalation_is_taken_once_and_again_after_it_failed()
    {
        var id = Guid.NewGuid();
        _deadlines.Track(id, Start);

        Assert.True(_deadlines.TryMarkEscalated(id, Start));
        Assert.False(_deadlines.TryMarkEscalated(id, Start));
        Assert.Empty(_deadlines.Advance(Start + WatchFor, WatchFor).Escalate);

        _deadlines.EscalationFailed(id);
        Assert.Equal([id], _deadlines.Advance(Start + WatchFor, WatchFor).Escalate);
    }

    [Fact]
    public void Concurrent_clocks_escalate_a_due_case_once()
    {
        var ids = Enumerable.Range(0, 50).Select(_ => Guid.NewGuid()).ToList();
        ids.ForEach(id => _deadlines.Track(id, Start));

        var due = new System.Collections.Concurrent.ConcurrentBag<Guid>();
        Parallel.For(0, 8, i =>
        {
            foreach (var id in _deadlines.Advance(Start + WatchFor + TimeSpan.FromSeconds(i), WatchFor).Escalate)
            {
                due.Add(id);
            }
        });

        Assert.Equal(ids.Order(), due.Order());
    }

    [Fact]
    public void A_forgotten_case_is_neither_due_nor_departed()
    {
        var id = Guid.NewGuid();
        _deadlines.Track(id, Start);
        _deadlines.Forget(id);

        Assert.Equal(0, _deadlines.Count);
        Assert.False(_deadlines.TryMarkDeparted(id, Start));
        Assert.Empty(_deadlines.Advance(Start + WatchFor, WatchFor).Escalate);
    }
}
