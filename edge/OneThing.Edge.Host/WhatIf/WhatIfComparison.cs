using OneThing.Edge.Domain.Configuration;
using OneThing.Edge.Storage.Cases;
using OneThing.Edge.Storage.Labels;

namespace OneThing.Edge.Host.WhatIf;

/// <summary>The settings a what-if changes, live or candidate.</summary>
public sealed record LaneSettings(double StopSeconds, double ConfirmSeconds, double MinOverlap, IReadOnlyList<float[]> Polygon)
{
    public static LaneSettings Of(LaneOptions lane) => new(lane.StopSeconds, lane.ConfirmSeconds, lane.MinOverlap, lane.Polygon);
}

/// <summary>
/// One run's cases on the lane against the labels: precision over cases that match a label (null without labels),
/// recall over the labelled violations (correct cases and missed ones; null without any), median stop -> confirmation.
/// </summary>
public sealed record RunScore(int Cases, int Labelled, double? Precision, double? Recall, double? MedianSecondsToConfirm);

/// <summary>How a case fares under the candidate: `kept`, `added` or `dropped` (<see cref="WhatIfComparison"/>), with the operator's label when one matches.</summary>
public sealed record CaseChange(string Change, string? Plate, DateTimeOffset FirstSeenAt, DateTimeOffset? LiveConfirmedAt, DateTimeOffset? CandidateConfirmedAt, string? Label);

public sealed record WhatIfResult(
    string CameraId, string LaneId, DateTimeOffset From, DateTimeOffset To, int Frames,
    LaneSettings Live, LaneSettings Candidate, RunScore LiveScore, RunScore CandidateScore, IReadOnlyList<CaseChange> Cases);

/// <summary>What operators said about a lane's cases in the window: the truth a what-if is scored against.</summary>
public sealed record LaneTruth(IReadOnlyList<(CaseSummary Case, CaseLabel Label)> Labelled, IReadOnlyList<MissedViolation> Missed)
{
    public bool IsEmpty => Labelled.Count == 0 && Missed.Count == 0;
}

/// <summary>
/// Compares a lane's cases replayed with the live settings and with the candidate. Two cases are the same car's when
/// their stops (first seen -> confirmed) overlap; a replayed case takes the label of the live case or missed
/// violation its stop overlaps (capture times are kept in the footage, so replayed and live times line up).
/// </summary>
public static class WhatIfComparison
{
    public const string Kept = "kept";
    public const string Added = "added";
    public const string Dropped = "dropped";

    public static (RunScore Live, RunScore Candidate, IReadOnlyList<CaseChange> Cases) Compare(
        IReadOnlyList<CaseSummary> live, IReadOnlyList<CaseSummary> candidate, LaneTruth truth)
    {
        var changes = new List<CaseChange>();
        var unmatched = live.ToList();
        foreach (var c in candidate)
        {
            var same = unmatched.FirstOrDefault(l => Overlaps(l.FirstSeenAt, l.ConfirmedAt, c.FirstSeenAt, c.ConfirmedAt));
            if (same is not null)
            {
                unmatched.Remove(same);
            }
            changes.Add(new CaseChange(same is null ? Added : Kept, c.Plate ?? same?.Plate, same?.FirstSeenAt ?? c.FirstSeenAt, same?.ConfirmedAt, c.ConfirmedAt, LabelOf(c, truth)?.Name));
        }
        changes.AddRange(unmatched.Select(l => new CaseChange(Dropped, l.Plate, l.FirstSeenAt, l.ConfirmedAt, null, LabelOf(l, truth)?.Name)));
        return (Score(live, truth), Score(candidate, truth), changes.OrderBy(c => c.FirstSeenAt).ToList());
    }

    public static RunScore Score(IReadOnlyList<CaseSummary> cases, LaneTruth truth)
    {
        int truePositives = 0, falseAlarms = 0;
        var found = new HashSet<Guid>();
        foreach (var c in cases)
        {
            switch (LabelOf(c, truth))
            {
                case { Violation: true } hit:
                    truePositives++;
                    found.Add(hit.Id);
                    break;
                case { Violation: false }:
                    falseAlarms++;
                    break;
            }
        }
        var violations = truth.Labelled.Count(l => l.Label.Verdict == CaseVerdicts.Correct) + truth.Missed.Count;
        double? precision = truth.IsEmpty ? null : truePositives + falseAlarms == 0 ? 1 : (double)truePositives / (truePositives + falseAlarms);
        double? recall = violations == 0 ? null : (double)found.Count / violations;
        return new RunScore(cases.Count, truePositives + falseAlarms, precision, recall, Median(cases.Select(c => (c.ConfirmedAt - c.FirstSeenAt).TotalSeconds)));
    }

    /// <summary>The labelled live case (of the same plate first: two cars can stop at once) or missed violation a case's stop overlaps.</summary>
    private static TruthMatch? LabelOf(CaseSummary c, LaneTruth truth)
    {
        foreach (var (live, label) in truth.Labelled.OrderBy(l => l.Case.Plate is not null && l.Case.Plate == c.Plate ? 0 : 1))
        {
            if (Overlaps(live.FirstSeenAt, live.ConfirmedAt, c.FirstSeenAt, c.ConfirmedAt))
            {
                return new TruthMatch(live.Id, label.Verdict == CaseVerdicts.Correct, label.Reason is null ? label.Verdict : $"{label.Verdict}: {label.Reason}");
            }
        }
        return truth.Missed.FirstOrDefault(m => Overlaps(m.StartedAt, m.EndedAt, c.FirstSeenAt, c.ConfirmedAt)) is { } missed
            ? new TruthMatch(missed.Id, true, "missed violation")
            : null;
    }

    private static bool Overlaps(DateTimeOffset aFrom, DateTimeOffset aTo, DateTimeOffset bFrom, DateTimeOffset bTo) => aFrom <= bTo && bFrom <= aTo;

    private static double? Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? null
            : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2]
            : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private sealed record TruthMatch(Guid Id, bool Violation, string Name);
}
