using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using OneThing.Edge.Messaging.Security;

namespace OneThing.Edge.Host.Officer;

/// <summary>
/// Device logins the officer API verified in the last <see cref="Lifetime"/>, so that an app's every request (its task
/// list, each thumbnail) does not cost a PBKDF2 check (~0.1 s of a core, on the broker's two password-check turns).
/// Keyed by a SHA-256 of the username, the password and the device's configured hash: a changed or removed password
/// misses at once. Bounded: when full, it starts over.
/// </summary>
public sealed class VerifiedLogins(TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);
    private const int Capacity = 1024;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _until = new(StringComparer.Ordinal);

    public bool Contains(DeviceCredential device, string password) =>
        _until.TryGetValue(Key(device, password), out var until) && time.GetUtcNow() < until;

    public void Add(DeviceCredential device, string password)
    {
        if (_until.Count >= Capacity)
        {
            _until.Clear();
        }
        _until[Key(device, password)] = time.GetUtcNow() + Lifetime;
    }

    private static string Key(DeviceCredential device, string password) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{device.Username}\n{password}\n{device.PasswordHash}")));
}
