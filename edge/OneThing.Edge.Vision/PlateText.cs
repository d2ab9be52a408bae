using System.Text;
using OneThing.Edge.Domain.Plates;

namespace OneThing.Edge.Vision;

/// <summary>Chinese plate text: clean-up of the reader's output (validity is <see cref="PlateFormat"/>'s).</summary>
public static class PlateText
{
    // Plate characters besides letters and digits; the last ones appear on special plates (embassy, civil aviation,
    // hazardous goods) that the format does not accept.
    private const string Allowed = PlateFormat.Provinces + PlateFormat.Suffixes + "使民航危险品";

    /// <summary>
    /// Keeps plate characters only (drops the separator dot and noise) and maps O to 0 and I to 1 after the
    /// second character: plates use neither letter there, the reader confuses them with the digits.
    /// </summary>
    public static string Clean(string raw)
    {
        ArgumentNullException.ThrowIfNull(raw);
        var sb = new StringBuilder(raw.Length);
        foreach (var ch in raw.ToUpperInvariant())
        {
            if (ch is 'O' or 'I')
            {
                // Not plate letters at all; in the first two places there is no digit they could stand for.
                if (sb.Length >= 2)
                {
                    sb.Append(ch == 'O' ? '0' : '1');
                }
            }
            else if (IsAlnum(ch) || Allowed.Contains(ch, StringComparison.Ordinal))
            {
                sb.Append(ch);
            }
        }
        return sb.ToString();
    }

    private static bool IsAlnum(char ch) => ch is (>= '0' and <= '9') or (>= 'A' and <= 'Z');
}
