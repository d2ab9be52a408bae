using System.Text;
using System.Text.RegularExpressions;

namespace OneThing.Edge.Domain.Plates;

/// <summary>
/// Mainland Chinese plate format (GA 36-2018: blue, yellow, green new-energy, and special suffixes), as typed by
/// officers or read by OCR. The one definition of a valid plate: officers' reports and the plate reader both check
/// against it.
/// </summary>
public static partial class PlateFormat
{
    /// <summary>First character: the province (or municipality) abbreviation.</summary>
    public const string Provinces = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼";

    /// <summary>Last-character markers of special plates: trailer, learner, police, Hong Kong, Macao, consulate.</summary>
    public const string Suffixes = "挂学警港澳领";

    /// <summary>Plate letters: the Latin alphabet without I and O (never used, they look like 1 and 0).</summary>
    public const string Letters = "ABCDEFGHJKLMNPQRSTUVWXYZ";

    public const string Digits = "0123456789";

    /// <summary>Seven characters: province, issuing-authority letter, five-character serial (or four and a suffix).</summary>
    public const int OrdinaryLength = 7;

    /// <summary>Eight characters: new-energy plates have a six-character serial.</summary>
    public const int NewEnergyLength = 8;

    /// <summary>An ordinary five-character serial holds at most two letters.</summary>
    public const int MaxSerialLetters = 2;

    // New-energy serial: small vehicles a letter (D, F, and A-K as they fill up), a letter or digit, four digits;
    // large vehicles five digits and that letter last.
    private const string NewEnergyMarks = "ABCDEFGHJK";

    /// <summary>Upper-case, without spaces, dots, middle dots or dashes: "浙a·12345" -> "浙A12345".</summary>
    public static string Normalize(string plate)
    {
        var sb = new StringBuilder(plate.Length);
        foreach (var c in plate.Trim())
        {
            if (c is ' ' or '·' or '.' or '-' or '•')
            {
                continue;
            }
            sb.Append(char.ToUpperInvariant(c));
        }
        return sb.ToString();
    }

    public static bool IsValid(string normalizedPlate) => Pattern().IsMatch(normalizedPlate);

    /// <summary>
    /// The characters the format allows at <paramref name="position"/> of a plate <paramref name="length"/>
    /// characters long; where an ordinary and a new-energy serial disagree, the union.
    /// </summary>
    public static string AllowedAt(int position, int length) => (position, length) switch
    {
        (0, _) => Provinces,
        (1, _) => Letters,
        // Digits in both new-energy layouts (small: letter, letter-or-digit, four digits; large: five digits, letter).
        (4 or 5 or 6, NewEnergyLength) => Digits,
        (7, NewEnergyLength) => Digits + NewEnergyMarks,
        (2, NewEnergyLength) => Digits + NewEnergyMarks,
        _ when position == length - 1 => Letters + Digits + Suffixes,
        _ => Letters + Digits,
    };

    // Letters exclude I and O; 5 characters after the letter (the last may be a suffix), or a new-energy serial.
    [GeneratedRegex("^[" + Provinces + "][" + Letters + "](?:[" + Letters + Digits + "]{4}[" + Letters + Digits + Suffixes + "]"
        + "|[" + NewEnergyMarks + "][" + Letters + Digits + "][0-9]{4}|[0-9]{5}[" + NewEnergyMarks + "])$")]
    private static partial Regex Pattern();
}
