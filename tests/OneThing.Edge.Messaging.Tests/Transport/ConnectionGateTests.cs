using System.Net;
using Microsoft.Extensions.Time.Testing;
using OneThing.Edge.Messaging.Transport;
using Xunit;

namespace OneThing.Edge.Messaging.Tests.Transport;

public sealed class ConnectionGateTests
{
    private static readonly IPAddress Camera = IPAddress.Parse("10.0.0.5");
    private static readonly IPAddress Attacker = IPAddress.Parse("10.0.0.66");
    private readonly FakeTimeProvider _time = new();

    private static ConnectionGate.PendingLogin Admit(ConnectionGate gate, IPAddress address, Action? onDeadline = null) =>
        gate.TryAdmit(address, onDeadline ?? (() => { }), out var refusal) ?? throw new InvalidOperationException($"refused: {refusal}");

    private static string? Refusal(ConnectionGate gate, IPAddress address)
    {
        using var login = gate.TryAdmit(address, () => { }, out var refusal);
        return refusal;
    }

    [Fact]
    public void Connections_not_logged_in_are_bounded_separately_from_all_connections()
    {
        using var gate = new ConnectionGate(new MqttOptions { MaxConnections = 3, MaxPendingConnections = 2 }, _time);
        var first = Admit(gate, Camera);
        var second = Admit(gate, Camera);
        Assert.Equal(ConnectRefusal.TooManyPending, Refusal(gate, Camera));

        first.LoggedIn();
        Assert.Equal((2, 1), (gate.OpenConnections, gate.PendingConnections));
        var third = Admit(gate, Camera);
        Assert.Equal(ConnectRefusal.TooManyConnections, Refusal(gate, Camera));

        second.Dispose();
        third.Dispose();
        first.Dispose();
        first.Dispose();
        Assert.Equal((0, 0), (gate.OpenConnections, gate.PendingConnections));
    }

    [Fact]
    public void A_connection_not_logged_in_by_the_timeout_is_closed_and_a_logged_in_one_is_not()
    {
        using var gate = new ConnectionGate(new MqttOptions { ConnectTimeoutSeconds = 10 }, _time);
        var closed = new List<string>();
        using var halfSent = Admit(gate, Attacker, () => closed.Add("half-sent"));
        using var device = Admit(gate, Camera, () => closed.Add("device"));

        _time.Advance(TimeSpan.FromSeconds(9));
        device.LoggedIn();
        Assert.Empty(closed);
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(["half-sent"], closed);
        Assert.True(halfSent.TimedOut);
        Assert.False(device.TimedOut);
        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(["half-sent"], closed);
    }

    [Fact]
    public async Task Password_checks_beyond_the_bound_wait_for_a_turn_until_their_deadline()
    {
        using var gate = new ConnectionGate(new MqttOptions { MaxConcurrentPasswordChecks = 1, ConnectTimeoutSeconds = 10 }, _time);
        using var first = Admit(gate, Attacker);
        using var second = Admit(gate, Attacker);
        using var third = Admit(gate, Camera);

        var running = await gate.EnterPasswordCheckAsync(first);
        Assert.NotNull(running);
        var waiting = gate.EnterPasswordCheckAsync(second);
        Assert.False(waiting.IsCompleted);

        running.Dispose();
        using (var turn = await waiting)
        {
            Assert.NotNull(turn); // it waited and then got its turn
            var late = gate.EnterPasswordCheckAsync(third);
            _time.Advance(TimeSpan.FromSeconds(10));
            Assert.Null(await late); // its deadline passed first: refused as busy
            Assert.True(third.RefusedAsBusy);
            Assert.False(third.TimedOut); // counted once, as busy
        }
        using var next = await gate.EnterPasswordCheckAsync(login: null);
        Assert.NotNull(next);
    }

    [Fact]
    public void One_address_gets_a_burst_then_the_refill_rate_and_others_are_unaffected()
    {
        using var gate = new ConnectionGate(new MqttOptions { MaxConnectsPerAddress = 3, ConnectsPerAddressPerSecond = 2 }, _time);
        for (var i = 0; i < 3; i++)
        {
            Assert.Null(Refusal(gate, Attacker));
        }
        Assert.Equal(ConnectRefusal.ConnectRate, Refusal(gate, Attacker));
        Assert.Null(Refusal(gate, Camera));

        _time.Advance(TimeSpan.FromSeconds(0.5));
        Assert.Null(Refusal(gate, Attacker));
        Assert.Equal(ConnectRefusal.ConnectRate, Refusal(gate, Attacker));
    }

    [Fact]
    public void The_rate_limiter_tracks_a_bounded_number_of_addresses_forgetting_idle_ones_first()
    {
        var limiter = new ConnectRateLimiter(burst: 2, perSecond: 1, _time);
        for (var i = 0; i < ConnectRateLimiter.MaxAddresses; i++)
        {
            Assert.True(limiter.TryTake(new IPAddress(0x0A000000 + i)));
        }
        Assert.Equal(ConnectRateLimiter.MaxAddresses, limiter.TrackedAddresses);

        // None idle yet: a new address is let through untracked (the connection bounds still hold).
        Assert.True(limiter.TryTake(Attacker));
        Assert.Equal(ConnectRateLimiter.MaxAddresses, limiter.TrackedAddresses);

        // A second later every bucket has refilled: they are forgotten to make room.
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(limiter.TryTake(Attacker));
        Assert.True(limiter.TryTake(Attacker));
        Assert.False(limiter.TryTake(Attacker));
        Assert.Equal(1, limiter.TrackedAddresses);
    }
}
