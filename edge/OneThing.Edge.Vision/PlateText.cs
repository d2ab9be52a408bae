using System.Text;
using OneThing.Edge.Domain.Plates;

namespace OneThing.Edge.Vision;

/// <summary>
/// One character of a reading: the character, its probability, and the probability of every plate symbol
/// (<see cref="PlateText.Symbols"/>) at its time steps, so the format can pick the best character of a class.
/// </summary>
public sealed record PlateGlyph(char Char, float Probability, float[]? Candidates = null);

/// <summary>Chinese plate text: clean-up of the reader's output (validity is <see cref="PlateFormat"/>'s).</summary>
public static class PlateText
{
    // Plate characters besides letters and digits; the last ones appear on special plates (embassy, civil aviation,
    // hazardous goods) that the format does not accept.
    private const string Allowed = PlateFormat.Provinces + PlateFormat.Suffixes + "使民航危险品";

    /// <summary>Every character the reader's candidates are kept for: the plate characters, I and O included.</summary>
    public const string Symbols = Allowed + PlateFormat.Letters + "IO" + PlateFormat.Digits;

    /// <summary>
    /// Keeps plate characters only (drops the separator dot and noise) and maps O to 0 and I to 1 after the
    /// second character: plates use neither letter there, the reader confuses them with the digits.
    /// </summary>
    public static string Clean(string raw)
    {
        ArgumentNullException.ThrowIfNull(raw);
        return Join(Clean(raw.Select(c => new PlateGlyph(c, 1)).ToList()));
    }

    /// <inheritdoc cref="Clean(string)"/>
    public static List<PlateGlyph> Clean(IReadOnlyList<PlateGlyph> raw)
    {
        ArgumentNullException.ThrowIfNull(raw);
        var kept = new List<PlateGlyph>(raw.Count);
        foreach (var glyph in raw)
        {
            var ch = char.ToUpperInvariant(glyph.Char);
            if (ch is 'O' or 'I')
            {
                // Not plate letters at all; in the first two places there is no digit they could stand for.
                if (kept.Count >= 2)
                {
                    kept.Add(glyph with { Char = ch == 'O' ? '0' : '1' });
                }
            }
            else if (IsAlnum(ch) || Allowed.Contains(ch, StringComparison.Ordinal))
            {
                kept.Add(glyph with { Char = ch });
            }
        }
        return kept;
    }

    /// <summary>
    /// Where the format decides, the best candidate the format allows: a character that cannot stand at its
    /// position (a digit where the issuing authority's letter goes, a letter among a new-energy plate's digits)
    /// becomes the most probable allowed one; an ordinary serial with more than two letters keeps the two surest.
    /// Only for plate-long readings (7 or 8 characters): in others the positions are not known.
    /// </summary>
    public static List<PlateGlyph> Constrain(IReadOnlyList<PlateGlyph> glyphs)
    {
        ArgumentNullException.ThrowIfNull(glyphs);
        var result = glyphs.ToList();
        var n = result.Count;
        if (n is not (PlateFormat.OrdinaryLength or PlateFormat.NewEnergyLength))
        {
            return result;
        }
        for (var i = 0; i < n; i++)
        {
            result[i] = BestOf(result[i], PlateFormat.AllowedAt(i, n));
        }
        if (n == PlateFormat.OrdinaryLength)
        {
            // Serial letters beyond the two surest become their most probable digit, cheapest change first.
            var letters = Enumerable.Range(2, n - 2).Where(i => PlateFormat.Letters.Contains(result[i].Char, StringComparison.Ordinal)).ToList();
            foreach (var i in letters.OrderByDescending(i => result[i].Probability - (BestCandidate(result[i], PlateFormat.Digits)?.Probability ?? 0))
                         .Skip(PlateFormat.MaxSerialLetters))
            {
                result[i] = BestOf(result[i], PlateFormat.Digits);
            }
        }
        return result;
    }

    /// <summary>
    /// The upper line of a double-layer plate holds the province and the issuing authority's letter only: its last
    /// two characters (separators and noise dropped) become the most probable province and letter. Its characters
    /// are half the height of the serial's, and a province read there as another Chinese character would otherwise
    /// be dropped as noise. With fewer than two characters, plain <see cref="Clean(IReadOnlyList{PlateGlyph})"/>.
    /// </summary>
    public static List<PlateGlyph> UpperLine(IReadOnlyList<PlateGlyph> raw)
    {
        ArgumentNullException.ThrowIfNull(raw);
        var kept = UpperLineCharacters(raw);
        return kept.Count < 2 ? Clean(raw) : [BestOf(kept[^2], PlateFormat.Provinces), BestOf(kept[^1], PlateFormat.Letters)];
    }

    /// <summary>Whether an upper line's last two characters were read as a province and a letter, not chosen from the candidates.</summary>
    public static bool ReadsProvinceAndLetter(IReadOnlyList<PlateGlyph> raw) =>
        UpperLineCharacters(raw) is [.., var province, var letter]
        && PlateFormat.Provinces.Contains(province.Char, StringComparison.Ordinal) && PlateFormat.Letters.Contains(letter.Char, StringComparison.Ordinal);

    private static List<PlateGlyph> UpperLineCharacters(IReadOnlyList<PlateGlyph> raw)
    {
        ArgumentNullException.ThrowIfNull(raw);
        return [.. raw.Select(g => g with { Char = char.ToUpperInvariant(g.Char) }).Where(g => IsAlnum(g.Char) || IsHan(g.Char))];
    }

    /// <summary>
    /// One upper line from several readings of it (each <see cref="UpperLine"/>'s province and letter): the
    /// province and the letter with the highest probability averaged over the readings, so one reading sure of a
    /// wrong province does not outweigh the others. Null without readings.
    /// </summary>
    public static List<PlateGlyph>? UpperLineVote(IReadOnlyList<IReadOnlyList<PlateGlyph>> readings)
    {
        ArgumentNullException.ThrowIfNull(readings);
        var voting = readings.Where(r => r is [{ Candidates: not null }, { Candidates: not null }]).ToList();
        if (voting.Count == 0)
        {
            return null;
        }
        float[] Mean(int position) =>
            [.. Enumerable.Range(0, Symbols.Length).Select(s => voting.Average(r => r[position].Candidates![s]))];
        return [BestCandidate(new PlateGlyph(' ', 0, Mean(0)), PlateFormat.Provinces)!, BestCandidate(new PlateGlyph(' ', 0, Mean(1)), PlateFormat.Letters)!];
    }

    public static string Join(IEnumerable<PlateGlyph> glyphs) => string.Concat(glyphs.Select(g => g.Char));

    // The glyph when allowed, else its most probable allowed candidate (unchanged when it has none).
    private static PlateGlyph BestOf(PlateGlyph glyph, string allowed) =>
        allowed.Contains(glyph.Char, StringComparison.Ordinal) ? glyph : BestCandidate(glyph, allowed) ?? glyph;

    // The most probable candidate among the allowed characters; null without candidates.
    private static PlateGlyph? BestCandidate(PlateGlyph glyph, string allowed)
    {
        if (glyph.Candidates is not { } candidates)
        {
            return null;
        }
        var best = allowed[0];
        foreach (var ch in allowed)
        {
            if (candidates[Symbols.IndexOf(ch, StringComparison.Ordinal)] > candidates[Symbols.IndexOf(best, StringComparison.Ordinal)])
            {
                best = ch;
            }
        }
        return glyph with { Char = best, Probability = candidates[Symbols.IndexOf(best, StringComparison.Ordinal)] };
    }

    private static bool IsHan(char ch) => ch is >= '\u4e00' and <= '\u9fff';

    private static bool IsAlnum(char ch) => ch is (>= '0' and <= '9') or (>= 'A' and <= 'Z');
}
