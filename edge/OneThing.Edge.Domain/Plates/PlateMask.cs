namespace OneThing.Edge.Domain.Plates;

/// <summary>
/// A plate is personal data: logs at Information show it masked, "皖A195K9" -> "皖A***K9" (province, issuing
/// authority and the last two characters, enough to tell cases apart in a log); only a logger with Debug enabled
/// gets it whole. Every log call that writes a plate goes through <see cref="ForLog"/>.
/// </summary>
public static class PlateMask
{
    /// <summary>First two and last two characters with "***" between, so the length is not told either.</summary>
    public static string Mask(string? plate) => plate switch
    {
        null or "" => "",
        { Length: <= 4 } => "***",
        _ => string.Concat(plate.AsSpan(0, 2), "***", plate.AsSpan(plate.Length - 2)),
    };

    /// <summary>The plate for a log line: whole when the logger writes Debug, else masked.</summary>
    public static string ForLog(string? plate, bool debugEnabled) => debugEnabled ? plate ?? "" : Mask(plate);
}
