using System.Globalization;

namespace OneThing.Edge.Storage;

/// <summary>
/// The one text form of every time stored in SQLite: fixed-width UTC with 100 ns digits, so SQLite compares times as
/// text in time order and a stored time reads back exactly.
/// </summary>
internal static class SqliteTime
{
    private const string Format = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    // Officers' report times were stored with milliseconds before they went through here; those rows must still read.
    private const string MillisecondFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    private const DateTimeStyles Utc = DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal;

    public static string ToText(DateTimeOffset time) => time.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture);

    public static DateTimeOffset Parse(string text) => DateTimeOffset.ParseExact(text, Format, CultureInfo.InvariantCulture, Utc);

    public static bool TryParse(string text, out DateTimeOffset time) =>
        DateTimeOffset.TryParseExact(text, Format, CultureInfo.InvariantCulture, Utc, out time);

    /// <summary>Like <see cref="Parse"/>, and also reads the millisecond text of report rows written before.</summary>
    public static DateTimeOffset ParseReportTime(string text) =>
        DateTimeOffset.ParseExact(text, [Format, MillisecondFormat], CultureInfo.InvariantCulture, Utc);
}
