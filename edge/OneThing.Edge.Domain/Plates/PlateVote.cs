using OneThing.Edge.Domain.Detections;

namespace OneThing.Edge.Domain.Plates;

/// <summary>The plate decided for a track; <see cref="Text"/> is null when it stayed unreadable.</summary>
public sealed record PlateVerdict(string? Text, double Confidence, int ReadingsUsed)
{
    public bool IsReadable => Text is not null;

    public static PlateVerdict Unreadable(int readingsUsed = 0) => new(null, 0, readingsUsed);
}

/// <summary>
/// Confidence-weighted vote over the readings of one stopped vehicle: first on the length (7-character plates and
/// 8-character new-energy plates never vote against each other position by position), weighted by each reading's
/// confidence; then per character position, weighted by the reader's confidence in that character, so a frame that
/// was unsure of one look-alike (G or 6) does not outvote a frame that was sure of it.
/// </summary>
public static class PlateVote
{
    /// <summary>Readings below this confidence, or not matching the plate format, do not vote.</summary>
    public const double DefaultMinReadingConfidence = 0.5;

    public static PlateVerdict Decide(IEnumerable<PlateReading> readings, double minReadingConfidence = DefaultMinReadingConfidence)
    {
        var voters = readings.Where(r => r.IsValid && r.Confidence >= minReadingConfidence && r.Text.Length > 0).ToList();
        if (voters.Count == 0)
        {
            return PlateVerdict.Unreadable();
        }

        var totalWeight = voters.Sum(r => (double)r.Confidence);
        var byLength = voters
            .GroupBy(r => r.Text.Length)
            .Select(g => (Length: g.Key, Weight: g.Sum(r => (double)r.Confidence), Readings: g.ToList()))
            .OrderByDescending(g => g.Weight)
            .ThenByDescending(g => g.Length)
            .First();

        var text = new char[byLength.Length];
        var weakestAgreement = 1.0;
        for (var position = 0; position < byLength.Length; position++)
        {
            var (ch, weight) = byLength.Readings
                .GroupBy(r => r.Text[position])
                .Select(g => (Char: g.Key, Weight: g.Sum(r => (double)r.ConfidenceAt(position))))
                .OrderByDescending(g => g.Weight)
                .ThenBy(g => g.Char)
                .First();
            text[position] = ch;
            weakestAgreement = Math.Min(weakestAgreement, weight / Math.Max(double.Epsilon, byLength.Readings.Sum(r => (double)r.ConfidenceAt(position))));
        }

        // Confidence: how much the readers agree (length share times the least agreed position) times how sure they were.
        var meanConfidence = byLength.Weight / byLength.Readings.Count;
        var confidence = byLength.Weight / totalWeight * weakestAgreement * meanConfidence;
        return new PlateVerdict(new string(text), confidence, voters.Count);
    }
}
