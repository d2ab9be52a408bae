using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace OneThing.Edge.Messaging.Security;

/// <summary>
/// Device passwords stored as `pbkdf2-sha256${iterations}${salt b64}${hash b64}`: the string says how it was made, so
/// iterations can be raised later without breaking existing devices. `onething-edge hash-password` calls
/// <see cref="HashPassword(string)"/>.
/// </summary>
public static class DevicePassword
{
    public const string Scheme = "pbkdf2-sha256";

    /// <summary>OWASP's 2023 recommendation for PBKDF2-HMAC-SHA256.</summary>
    public const int DefaultIterations = 210_000;

    private const int MinIterations = 10_000;
    private const int MaxIterations = 10_000_000;
    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    public static string HashPassword(string password) => HashPassword(password, DefaultIterations);

    public static string HashPassword(string password, int iterations)
    {
        ArgumentException.ThrowIfNullOrEmpty(password);
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, MinIterations);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(iterations, MaxIterations);
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Derive(password, salt, iterations, HashBytes);
        return string.Join('$', Scheme, iterations.ToString(CultureInfo.InvariantCulture), Convert.ToBase64String(salt), Convert.ToBase64String(hash));
    }

    /// <summary>Constant-time check of <paramref name="password"/> against an encoded hash; false for a malformed hash.</summary>
    public static bool Verify(string password, string encoded) =>
        TryParse(encoded, out var iterations, out var salt, out var expected)
        && CryptographicOperations.FixedTimeEquals(Derive(password, salt, iterations, expected.Length), expected);

    /// <summary>Verified against when the user is unknown, so a wrong username costs as long as a wrong password.</summary>
    private static readonly Lazy<string> DecoyHash = new(() => HashPassword(Guid.NewGuid().ToString()));

    /// <summary>
    /// A login's check: <paramref name="device"/> null (unknown username) is checked against a decoy hash, so an
    /// unknown user takes as long to refuse as a wrong password.
    /// </summary>
    public static bool VerifyLogin(DeviceCredential? device, string password)
    {
        var matches = Verify(password, device?.PasswordHash ?? DecoyHash.Value);
        return device is not null && matches;
    }

    /// <summary>Whether <paramref name="encoded"/> is a hash this class can verify (configuration validation).</summary>
    public static bool IsWellFormed(string? encoded) => TryParse(encoded, out _, out _, out _);

    private static bool TryParse(string? encoded, out int iterations, out byte[] salt, out byte[] hash)
    {
        iterations = 0;
        salt = hash = [];
        var parts = encoded?.Split('$');
        if (parts is not { Length: 4 } || parts[0] != Scheme
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out iterations)
            || iterations is < MinIterations or > MaxIterations)
        {
            return false;
        }
        try
        {
            salt = Convert.FromBase64String(parts[2]);
            hash = Convert.FromBase64String(parts[3]);
        }
        catch (FormatException)
        {
            return false;
        }
        return salt.Length >= 8 && hash.Length >= 16;
    }

    private static byte[] Derive(string password, byte[] salt, int iterations, int length) =>
        Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, length);
}
