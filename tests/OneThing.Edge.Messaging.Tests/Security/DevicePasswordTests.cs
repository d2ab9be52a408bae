using OneThing.Edge.Messaging.Security;
using Xunit;

namespace OneThing.Edge.Messaging.Tests.Security;

public sealed class DevicePasswordTests
{
    [Fact]
    public void A_hash_is_self_describing_and_verifies_only_its_password()
    {
        var hash = DevicePassword.HashPassword("correct horse");

        var parts = hash.Split('$');
        Assert.Equal(["pbkdf2-sha256", "210000"], parts[..2]);
        Assert.Equal(16, Convert.FromBase64String(parts[2]).Length);
        Assert.Equal(32, Convert.FromBase64String(parts[3]).Length);
        Assert.True(DevicePassword.Verify("correct horse", hash));
        Assert.False(DevicePassword.Verify("correct horse ", hash));
        Assert.False(DevicePassword.Verify("", hash));
    }

    [Fact]
    public void The_same_password_hashes_differently_each_time_because_of_the_salt()
    {
        var a = DevicePassword.HashPassword("s3cret", 10_000);
        var b = DevicePassword.HashPassword("s3cret", 10_000);

        Assert.NotEqual(a, b);
        Assert.True(DevicePassword.Verify("s3cret", a));
        Assert.True(DevicePassword.Verify("s3cret", b));
    }

    [Fact]
    public void The_iteration_count_in_the_string_is_the_one_used()
    {
        var hash = DevicePassword.HashPassword("pw", 12_345);
        Assert.StartsWith("pbkdf2-sha256$12345$", hash, StringComparison.Ordinal);
        Assert.True(DevicePassword.Verify("pw", hash));
        // Same salt and hash under a different count must not verify.
        Assert.False(DevicePassword.Verify("pw", hash.Replace("$12345$", "$12346$", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("plain-text-password")]
    [InlineData("pbkdf2-sha256$210000$notbase64!$AAAA")]
    [InlineData("pbkdf2-sha1$210000$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA==")]
    [InlineData("pbkdf2-sha256$10$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA==")]
    [InlineData("pbkdf2-sha256$-5$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA==")]
    [InlineData("pbkdf2-sha256$210000$c2FsdA==$aGFzaGhhc2hoYXNoaGFzaA==")]
    public void Malformed_or_weak_hashes_are_not_well_formed_and_never_verify(string? encoded)
    {
        Assert.False(DevicePassword.IsWellFormed(encoded));
        Assert.False(DevicePassword.Verify("plain-text-password", encoded!));
    }

    [Fact]
    public void Hashing_refuses_an_empty_password_and_too_few_iterations()
    {
        Assert.ThrowsAny<ArgumentException>(() => DevicePassword.HashPassword(""));
        Assert.Throws<ArgumentOutOfRangeException>(() => DevicePassword.HashPassword("pw", 1_000));
    }
}
