using OneThing.Edge.Domain.Cases;
using OneThing.Edge.TestKit;
using Xunit;

namespace OneThing.Edge.Domain.Tests.Cases;

public sealed class CaseLifecycleTests
{
    /// <summary>Every allowed step, written out by hand: a change to the lifecycle must change this table too.</summary>
    public static TheoryData<CaseState, CaseStep, CaseState> Legal => new()
    {
        { CaseState.Confirmed, CaseStep.Forward, CaseState.Forwarded },
        { CaseState.Confirmed, CaseStep.Notify, CaseState.Notified },
        { CaseState.Confirmed, CaseStep.ReportNoOwner, CaseState.NoOwner },
        { CaseState.Confirmed, CaseStep.DeadLetter, CaseState.DeadLettered },
        { CaseState.Confirmed, CaseStep.Escalate, CaseState.Escalated },
        { CaseState.Confirmed, CaseStep.Depart, CaseState.Cleared },
        { CaseState.Confirmed, CaseStep.Merge, CaseState.Confirmed },
        { CaseState.Forwarded, CaseStep.Forward, CaseState.Forwarded },
        { CaseState.Forwarded, CaseStep.Notify, CaseState.Notified },
        { CaseState.Forwarded, CaseStep.ReportNoOwner, CaseState.NoOwner },
        { CaseState.Forwarded, CaseStep.Escalate, CaseState.Escalated },
        { CaseState.Forwarded, CaseStep.Depart, CaseState.Cleared },
        { CaseState.Forwarded, CaseStep.Merge, CaseState.Forwarded },
        { CaseState.Notified, CaseStep.Escalate, CaseState.Escalated },
        { CaseState.Notified, CaseStep.Depart, CaseState.Cleared },
        { CaseState.Notified, CaseStep.Merge, CaseState.Notified },
        { CaseState.NoOwner, CaseStep.Escalate, CaseState.Escalated },
        { CaseState.NoOwner, CaseStep.Depart, CaseState.Cleared },
        { CaseState.NoOwner, CaseStep.Merge, CaseState.NoOwner },
        { CaseState.DeadLettered, CaseStep.Escalate, CaseState.Escalated },
        { CaseState.DeadLettered, CaseStep.Depart, CaseState.Cleared },
        { CaseState.DeadLettered, CaseStep.Merge, CaseState.DeadLettered },
        { CaseState.Escalated, CaseStep.Ticket, CaseState.Ticketed },
        { CaseState.Escalated, CaseStep.Depart, CaseState.Closed },
        { CaseState.Escalated, CaseStep.Merge, CaseState.Escalated },
    };

    /// <summary>Every other (state, step) pair.</summary>
    public static TheoryData<CaseState, CaseStep> Illegal
    {
        get
        {
            var legal = Legal.Select(row => ((CaseState)row[0], (CaseStep)row[1])).ToHashSet();
            var data = new TheoryData<CaseState, CaseStep>();
            foreach (var state in Enum.GetValues<CaseState>())
            {
                foreach (var step in Enum.GetValues<CaseStep>().Where(s => !legal.Contains((state, s))))
                {
                    data.Add(state, step);
                }
            }
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Legal))]
    public void A_legal_step_leads_to_its_state(CaseState from, CaseStep step, CaseState to)
    {
        Assert.Equal(to, CaseLifecycle.TryApply(from, step));
        Assert.Equal(to, CaseLifecycle.Apply(Guid.NewGuid(), from, step));
    }

    [Theory]
    [MemberData(nameof(Illegal))]
    public void An_illegal_step_is_refused_with_the_case_state_and_step(CaseState from, CaseStep step)
    {
        var id = Guid.NewGuid();
        Assert.Null(CaseLifecycle.TryApply(from, step));
        var refused = Assert.Throws<IllegalCaseTransitionException>(() => CaseLifecycle.Apply(id, from, step));
        Assert.Contains(id.ToString(), refused.Message, StringComparison.Ordinal);
        Assert.Contains(CaseLifecycle.Name(from), refused.Message, StringComparison.Ordinal);
        Assert.Contains(step.ToString(), refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_table_covers_every_transition_the_type_allows()
    {
        Assert.Equal(Legal.Count, CaseLifecycle.Transitions.Count);
    }

    [Fact]
    public void Final_states_have_no_way_out_and_open_states_do()
    {
        Assert.Equal([CaseState.Cleared, CaseState.Ticketed, CaseState.Closed], CaseLifecycle.FinalStates);
        foreach (var state in CaseLifecycle.FinalStates)
        {
            Assert.All(Enum.GetValues<CaseStep>(), step => Assert.Null(CaseLifecycle.TryApply(state, step)));
        }
        Assert.All(CaseLifecycle.OpenStates, state => Assert.NotNull(CaseLifecycle.TryApply(state, CaseStep.Depart)));
    }

    [Theory]
    [InlineData(CaseState.Confirmed, "confirmed")]
    [InlineData(CaseState.NoOwner, "no-owner")]
    [InlineData(CaseState.DeadLettered, "dead-lettered")]
    [InlineData(CaseState.Escalated, "escalated")]
    public void A_state_is_stored_by_a_lower_case_name_that_parses_back(CaseState state, string name)
    {
        Assert.Equal(name, CaseLifecycle.Name(state));
        Assert.Equal(state, CaseLifecycle.Parse(name));
    }

    [Fact]
    public void An_unknown_stored_state_is_a_clear_error()
    {
        var error = Assert.Throws<FormatException>(() => CaseLifecycle.Parse("Escalated"));
        Assert.Contains("'Escalated' is not a case state", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(NoticeStatuses.Sent, CaseStep.Notify)]
    [InlineData(NoticeStatuses.NoOwner, CaseStep.ReportNoOwner)]
    [InlineData(NoticeStatuses.Queued, CaseStep.Forward)]
    [InlineData(null, CaseStep.Forward)]
    public void A_receipt_is_the_step_its_notice_status_names(string? notice, CaseStep step) =>
        Assert.Equal(step, CaseLifecycle.StepFor(notice));

    [Fact]
    public void Nobody_texted_means_an_officer_now()
    {
        Assert.Equal([CaseState.NoOwner, CaseState.DeadLettered], Enum.GetValues<CaseState>().Where(CaseLifecycle.NeedsOfficerNow));
    }

    /// <summary>docs/ARCHITECTURE.md draws the lifecycle; the drawing must list exactly the transitions of the type.</summary>
    [Fact]
    public void The_state_diagram_in_the_architecture_doc_matches_the_lifecycle()
    {
        var doc = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "docs", "ARCHITECTURE.md"));
        var start = doc.IndexOf("stateDiagram-v2", StringComparison.Ordinal);
        Assert.True(start >= 0, "docs/ARCHITECTURE.md has no stateDiagram-v2");
        var diagram = doc[start..doc.IndexOf("```", start, StringComparison.Ordinal)];
        var drawn = diagram.Split('\n').Select(l => l.Trim()).Where(l => l.Contains("-->", StringComparison.Ordinal) && !l.StartsWith("[*]", StringComparison.Ordinal))
            .Select(l => l.Replace(" ", "", StringComparison.Ordinal)).ToHashSet();
        var expected = CaseLifecycle.Transitions.Where(t => t.From != t.To)
            .Select(t => $"{Id(t.From)}-->{Id(t.To)}:{t.Step}").ToHashSet();
        Assert.Equal(expected.Order(), drawn.Where(l => !l.EndsWith("-->[*]", StringComparison.Ordinal)).Order());
        Assert.Equal(CaseLifecycle.FinalStates.Select(s => $"{Id(s)}-->[*]").Order(), drawn.Where(l => l.EndsWith("-->[*]", StringComparison.Ordinal)).Order());
    }

    private static string Id(CaseState state) => CaseLifecycle.Name(state).Replace("-", "_", StringComparison.Ordinal);
}
