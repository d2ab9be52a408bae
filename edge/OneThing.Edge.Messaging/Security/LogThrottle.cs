namespace OneThing.Edge.Messaging.Security;

/// <summary>
/// One log line per key and window, the rest only counted and reported with the next line that goes through: a
/// thousand wrong passwords from an attacker make a few warnings, not a thousand. Keys are a fixed set (refusal
/// reasons), never attacker-chosen values, so the map stays small.
/// </summary>
public sealed class LogThrottle(TimeSpan window, TimeProvider time)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, (DateTimeOffset Until, long Suppressed)> _windows = new(StringComparer.Ordinal);

    /// <summary>Whether this occurrence is logged; if so, <paramref name="suppressed"/> says how many were only counted since the last one logged.</summary>
    public bool ShouldLog(string key, out long suppressed)
    {
        lock (_lock)
        {
            var now = time.GetUtcNow();
            _windows.TryGetValue(key, out var current);
            if (now < current.Until)
            {
                _windows[key] = current with { Suppressed = current.Suppressed + 1 };
                suppressed = 0;
                return false;
            }
            suppressed = current.Suppressed;
            _windows[key] = (now + window, 0);
            return true;
        }
    }
}
