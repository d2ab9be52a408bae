using Microsoft.Extensions.Time.Testing;
using OneThing.Edge.Messaging.Security;
using Xunit;

namespace OneThing.Edge.Messaging.Tests.Security;

public sealed class LogThrottleTests
{
    private static readonly TimeSpan Window = DeviceAccessPolicy.RefusedLoginLogWindow;

    [Fact]
    public void A_thousand_refusals_in_a_window_log_one_line_and_the_next_line_says_how_many_were_only_counted()
    {
        var time = new FakeTimeProvider();
        var throttle = new LogThrottle(Window, time);

        var logged = Enumerable.Range(0, 1000).Count(i => throttle.ShouldLog("bad-password", out var _));
        Assert.Equal(1, logged);

        time.Advance(Window);
        Assert.True(throttle.ShouldLog("bad-password", out var suppressed));
        Assert.Equal(999, suppressed);
        Assert.False(throttle.ShouldLog("bad-password", out _));
    }

    [Fact]
    public void Each_reason_has_its_own_window()
    {
        var throttle = new LogThrottle(Window, new FakeTimeProvider());

        Assert.True(throttle.ShouldLog("bad-password", out _));
        Assert.True(throttle.ShouldLog("unknown-user", out var suppressed));
        Assert.Equal(0, suppressed);
        Assert.False(throttle.ShouldLog("unknown-user", out _));
    }
}
