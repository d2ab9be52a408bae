using System.Text;
using System.Text.RegularExpressions;

namespace OneThing.Edge.Domain.Plates;

/// <summary>
/// Mainland Chinese plate format (blue, yellow, green NEV, and special suffixes), as typed by officers or read by OCR.
/// The one definition of a valid plate: officers' reports and the plate reader both check against it.
/// </summary>
public static partial class PlateFormat
{
    /// <summary>First character: the province (or municipality) abbreviation.</summary>
    public const string Provinces = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼";

    /// <summary>Last-character markers of special plates: trailer, learner, police, Hong Kong, Macao, consulate.</summary>
    public const string Suffixes = "挂学警港澳领";

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

    // Letters exclude I and O (never used on plates); 5 characters after the letter, 6 on new-energy plates.
    [GeneratedRegex("^[" + Provinces + "][A-HJ-NP-Z][A-HJ-NP-Z0-9]{4,5}[A-HJ-NP-Z0-9" + Suffixes + "]?$")]
    private static partial Regex Pattern();
}
