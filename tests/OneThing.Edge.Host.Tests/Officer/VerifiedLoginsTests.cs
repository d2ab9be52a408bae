using Microsoft.Extensions.Time.Testing;
using OneThing.Edge.Host.Officer;
using OneThing.Edge.Messaging.Security;
using Xunit;

namespace OneThing.Edge.Host.Tests.Officer;

public sealed class VerifiedLoginsTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 2, 8, 0, 0, TimeSpan.Zero));
    private static readonly DeviceCredential Pda = new() { Username = "pda-1", Id = "pda-1", Role = DeviceRole.Pda, PasswordHash = "hash-a" };

    [Fact]
    public void A_verified_login_is_known_for_five_minutes_and_then_checked_again()
    {
        var logins = new VerifiedLogins(_time);
        Assert.False(logins.Contains(Pda, "secret"));

        logins.Add(Pda, "secret");
        _time.Advance(VerifiedLogins.Lifetime - TimeSpan.FromSeconds(1));
        Assert.True(logins.Contains(Pda, "secret"));

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(logins.Contains(Pda, "secret"));
    }

    [Fact]
    public void Another_password_or_a_changed_device_hash_is_not_a_verified_login()
    {
        var logins = new VerifiedLogins(_time);
        logins.Add(Pda, "secret");

        Assert.False(logins.Contains(Pda, "secret2"));
        Assert.False(logins.Contains(new DeviceCredential { Username = "pda-2", Id = "pda-2", Role = DeviceRole.Pda, PasswordHash = "hash-a" }, "secret"));
        Assert.False(logins.Contains(new DeviceCredential { Username = "pda-1", Id = "pda-1", Role = DeviceRole.Pda, PasswordHash = "hash-b" }, "secret"));
    }
}
