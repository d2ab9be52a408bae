using System.Collections.Concurrent;
using System.Net;

namespace OneThing.Edge.Host.OperatorConsole;

/// <summary>
/// Slows down token guessing: after <see cref="FreeFailures"/> failed sign-ins from one client address, that address
/// is refused for 1 s, then 2 s, 4 s... (at most <see cref="MaxDelay"/>) per further failure; a success clears it.
/// </summary>
public sealed class LoginThrottle(TimeProvider time)
{
    public const int FreeFailures = 5;
    public static readonly TimeSpan FirstDelay = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan MaxDelay = TimeSpan.FromMinutes(15);

    // Bounded so a sweep of spoofed-looking addresses cannot grow it without end; entries whose block has passed go first.
    private const int MaxAddresses = 10_000;
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    private sealed record Entry(int Failures, DateTimeOffset BlockedUntil);

    /// <summary>How long this address must still wait, or null when it may try now.</summary>
    public TimeSpan? RetryAfter(IPAddress? address)
    {
        if (_entries.TryGetValue(Key(address), out var entry) && entry.BlockedUntil > time.GetUtcNow())
        {
            return entry.BlockedUntil - time.GetUtcNow();
        }
        return null;
    }

    public void Failed(IPAddress? address)
    {
        var now = time.GetUtcNow();
        if (_entries.Count >= MaxAddresses)
        {
            foreach (var stale in _entries.Where(e => e.Value.BlockedUntil <= now).Select(e => e.Key).ToList())
            {
                _entries.TryRemove(stale, out _);
            }
        }
        _entries.AddOrUpdate(Key(address), _ => Next(0, now), (_, e) => Next(e.Failures, now));
    }

    public void Succeeded(IPAddress? address) => _entries.TryRemove(Key(address), out _);

    private static Entry Next(int failuresBefore, DateTimeOffset now)
    {
        var failures = failuresBefore + 1;
        if (failures < FreeFailures)
        {
            return new Entry(failures, DateTimeOffset.MinValue);
        }
        var doublings = Math.Min(failures - FreeFailures, 20);
        var delay = TimeSpan.FromTicks(Math.Min(FirstDelay.Ticks << doublings, MaxDelay.Ticks));
        return new Entry(failures, now + delay);
    }

    // IPv4 clients reached over a dual-stack socket appear as ::ffff:a.b.c.d; one address, one counter.
    private static string Key(IPAddress? address) =>
        address is null ? "?" : (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();
}
