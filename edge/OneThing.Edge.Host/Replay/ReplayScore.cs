using OneThing.Edge.Storage.Cases;

namespace OneThing.Edge.Host.Replay;

/// <summary>One expected case and what the replay made of it.</summary>
public sealed record CaseOutcome(ExpectedCase? Expected, CaseSummary? Actual, string Verdict);

/// <summary>
/// Scores a replay: a case is found when the gateway confirmed one in the expected lane; its plate is right when the
/// text matches exactly. Extra cases, and cases the footage must not produce (drop-offs), count against precision.
/// </summary>
public sealed record ReplayScore(IReadOnlyList<CaseOutcome> Outcomes, double Precision, double Recall, double PlateAccuracy)
{
    public bool Perfect => Precision == 1 && Recall == 1 && PlateAccuracy == 1;

    public static ReplayScore Of(IReadOnlyList<ExpectedCase> expected, IReadOnlyList<CaseSummary> actual)
    {
        var unmatched = actual.ToList();
        var outcomes = new List<CaseOutcome>();
        int found = 0, exactPlates = 0, wrong = 0;
        // Exact lane + plate matches first, so a wrong plate cannot steal another expected car's case.
        var wanted = expected.Where(e => e.Confirmed).OrderBy(e => e.Plate is null).ToList();
        var matches = new Dictionary<ExpectedCase, CaseSummary?>();
        foreach (var e in wanted)
        {
            var exact = unmatched.FirstOrDefault(a => a.LaneId == e.Lane && a.Plate == e.Plate);
            if (exact is not null)
            {
                unmatched.Remove(exact);
            }
            matches[e] = exact;
        }
        foreach (var e in wanted)
        {
            var hit = matches[e] ?? unmatched.FirstOrDefault(a => a.LaneId == e.Lane);
            if (hit is null)
            {
                outcomes.Add(new CaseOutcome(e, null, "missed"));
                continue;
            }
            unmatched.Remove(hit);
            found++;
            var plateRight = hit.Plate == e.Plate;
            exactPlates += plateRight ? 1 : 0;
            outcomes.Add(new CaseOutcome(e, hit, plateRight ? "cited" : $"cited, plate read {hit.Plate ?? "(none)"}"));
        }
        foreach (var extra in unmatched)
        {
            var forbidden = expected.FirstOrDefault(e => !e.Confirmed && e.Lane == extra.LaneId && (e.Plate is null || e.Plate == extra.Plate));
            outcomes.Add(new CaseOutcome(forbidden, extra, forbidden is null ? "extra case" : "cited but must not be"));
            wrong++;
        }
        foreach (var e in expected.Where(e => !e.Confirmed && outcomes.All(o => o.Expected != e)))
        {
            outcomes.Add(new CaseOutcome(e, null, "not cited (right)"));
        }
        var precision = found + wrong == 0 ? 1 : (double)found / (found + wrong);
        var recall = wanted.Count == 0 ? 1 : (double)found / wanted.Count;
        var plates = found == 0 ? (wanted.Count == 0 ? 1 : 0) : (double)exactPlates / found;
        return new ReplayScore(outcomes, precision, recall, plates);
    }
}
