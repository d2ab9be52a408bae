using System.Text;
using System.Text.RegularExpressions;

namespace OneThing.Edge.Vision;

/// <summary>Chinese plate text: clean-up of the reader's output and the format check.</summary>
public static partial class PlateText
{
    private const string Allowed = "京沪津渝冀晋蒙辽吉黑苏浙皖闽赣鲁豫鄂湘粤桂琼川贵云藏陕甘青宁新学警港澳挂使领民航危险品";

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

    public static bool IsValid(string text) => text is not null && Format().IsMatch(text);

    private static bool IsAlnum(char ch) => ch is (>= '0' and <= '9') or (>= 'A' and <= 'Z');

    [GeneratedRegex("^[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-HJ-NP-Z][A-HJ-NP-Z0-9]{4,5}[A-HJ-NP-Z0-9挂学警港澳领]?$")]
    private static partial Regex Format();
}
