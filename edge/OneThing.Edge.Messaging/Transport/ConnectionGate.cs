using System.Collections.Concurrent;
using System.Net;
using MQTTnet.Adapter;

namespace OneThing.Edge.Messaging.Transport;

/// <summary>Why the embedded broker closed a connection before its login completed; counted on /metrics.</summary>
public static class ConnectRefusal
{
    public const string TooManyConnections = "too-many-connections";
    public const string TooManyPending = "too-many-pending";
    public const string ConnectRate = "connect-rate";
    public const string ConnectTimeout = "connect-timeout";
    public const string PasswordChecksBusy = "password-checks-busy";
}

/// <summary>
/// The embedded broker's limits before a login: open and not-yet-logged-in connections, connections per address and
/// second, a deadline from accept to login, and how many password checks run at once. All of it holds before MQTTnet
/// has read a byte, so a client without a password can cost the gateway at most a pending slot, a CONNECT of
/// `Mqtt:MaxConnectPacketBytes` and a wait for a password-check turn, for at most `Mqtt:ConnectTimeoutSeconds`.
/// </summary>
public sealed class ConnectionGate(MqttOptions options, TimeProvider time) : IDisposable
{
    private readonly SemaphoreSlim _passwordChecks = new(options.MaxConcurrentPasswordChecks);
    private readonly ConnectRateLimiter _rates = new(options.MaxConnectsPerAddress, options.ConnectsPerAddressPerSecond, time);
    private readonly ConcurrentDictionary<IMqttChannelAdapter, PendingLogin> _logins = new();
    private readonly Lock _lock = new();
    private int _open;
    private int _pending;

    public int OpenConnections { get { lock (_lock) { return _open; } } }
    public int PendingConnections { get { lock (_lock) { return _pending; } } }

    /// <summary>
    /// A new TCP connection from <paramref name="address"/>: a <see cref="PendingLogin"/> holding a connection and a
    /// pending slot until it is disposed, or null with the refusal reason.
    /// </summary>
    public PendingLogin? TryAdmit(IPAddress address, Action onDeadline, out string? refusal)
    {
        lock (_lock)
        {
            // The rate first: every attempt from an address counts, admitted or not.
            refusal = !_rates.TryTake(address) ? ConnectRefusal.ConnectRate
                : _open >= options.MaxConnections ? ConnectRefusal.TooManyConnections
                : _pending >= options.MaxPendingConnections ? ConnectRefusal.TooManyPending
                : null;
            if (refusal is not null)
            {
                return null;
            }
            _open++;
            _pending++;
        }
        return new PendingLogin(this, TimeSpan.FromSeconds(options.ConnectTimeoutSeconds), onDeadline, time);
    }

    /// <summary>Ties the MQTTnet adapter of a connection to its login, so the broker's login handler can find it.</summary>
    public void Attach(IMqttChannelAdapter adapter, PendingLogin login)
    {
        login.Adapter = adapter;
        _logins[adapter] = login;
    }

    /// <summary>The login of the connection MQTTnet reads through <paramref name="adapter"/>.</summary>
    public PendingLogin? LoginOf(IMqttChannelAdapter adapter) => _logins.GetValueOrDefault(adapter);

    /// <summary>
    /// Waits for a password-check turn until the login's deadline; null when the deadline passed first (refuse as
    /// busy). Dispose the turn after the check.
    /// </summary>
    public async Task<IDisposable?> EnterPasswordCheckAsync(PendingLogin? login)
    {
        var turn = await EnterPasswordCheckAsync(login?.Deadline ?? CancellationToken.None).ConfigureAwait(false);
        if (turn is null)
        {
            login!.RefusedAsBusy = true;
        }
        return turn;
    }

    /// <summary>
    /// A password-check turn shared with the broker's logins (the officer app's HTTP logins take theirs here too), or
    /// null when <paramref name="giveUp"/> is cancelled first. Dispose the turn after the check.
    /// </summary>
    public async Task<IDisposable?> EnterPasswordCheckAsync(CancellationToken giveUp)
    {
        try
        {
            await _passwordChecks.WaitAsync(giveUp).ConfigureAwait(false);
            return new PasswordCheckTurn(_passwordChecks);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>The login succeeded: the connection leaves the pending count and its deadline is disarmed.</summary>
    public void LoggedIn(IMqttChannelAdapter adapter)
    {
        if (_logins.TryRemove(adapter, out var login))
        {
            login.LoggedIn();
        }
    }

    private void Release(PendingLogin login, bool stillPending)
    {
        if (login.Adapter is { } adapter)
        {
            _logins.TryRemove(adapter, out _);
        }
        lock (_lock)
        {
            _open--;
            if (stillPending)
            {
                _pending--;
            }
        }
    }

    private void LeftPending()
    {
        lock (_lock)
        {
            _pending--;
        }
    }

    public void Dispose() => _passwordChecks.Dispose();

    private sealed class PasswordCheckTurn(SemaphoreSlim semaphore) : IDisposable
    {
        public void Dispose() => semaphore.Release();
    }

    /// <summary>One admitted connection; disposed when the connection ends.</summary>
    public sealed class PendingLogin : IDisposable
    {
        private readonly ConnectionGate _gate;
        private readonly CancellationTokenSource _deadline;
        private readonly CancellationTokenRegistration _onDeadline;
        private int _state; // 0 pending, 1 logged in, 2 released

        internal PendingLogin(ConnectionGate gate, TimeSpan timeout, Action onDeadline, TimeProvider time)
        {
            _gate = gate;
            _deadline = new CancellationTokenSource(timeout, time);
            _onDeadline = _deadline.Token.Register(onDeadline);
        }

        internal IMqttChannelAdapter? Adapter { get; set; }

        /// <summary>Cancelled when the connection has not logged in within `Mqtt:ConnectTimeoutSeconds`.</summary>
        public CancellationToken Deadline => _deadline.Token;

        /// <summary>The deadline passed before a login, and not while waiting for a password check (that is <see cref="RefusedAsBusy"/>).</summary>
        public bool TimedOut => Volatile.Read(ref _state) == 0 && _deadline.IsCancellationRequested && !RefusedAsBusy;

        /// <summary>The deadline passed while the login waited for a password-check turn; it was answered server busy.</summary>
        public bool RefusedAsBusy { get; internal set; }

        /// <summary>The login succeeded: the connection leaves the pending count and its deadline is disarmed.</summary>
        public void LoggedIn()
        {
            if (Interlocked.CompareExchange(ref _state, 1, 0) == 0)
            {
                _onDeadline.Dispose(); // waits for a running deadline callback, so none fires after a login
                _gate.LeftPending();
            }
        }

        public void Dispose()
        {
            var previous = Interlocked.Exchange(ref _state, 2);
            if (previous == 2)
            {
                return;
            }
            _onDeadline.Dispose();
            _deadline.Dispose();
            _gate.Release(this, stillPending: previous == 0);
        }
    }
}

/// <summary>
/// A token bucket per IP address: <c>burst</c> connections at once, refilled at <c>perSecond</c>. At most
/// <see cref="MaxAddresses"/> addresses are tracked; past that, full (idle) buckets are forgotten first, and when none
/// is idle a new address is not rate limited (the connection and pending bounds still hold), so a spray of addresses
/// cannot grow the map.
/// </summary>
public sealed class ConnectRateLimiter(int burst, double perSecond, TimeProvider time)
{
    public const int MaxAddresses = 10_000;

    private readonly Dictionary<IPAddress, (double Tokens, long At)> _buckets = [];
    private readonly Lock _lock = new();

    public int TrackedAddresses { get { lock (_lock) { return _buckets.Count; } } }

    public bool TryTake(IPAddress address)
    {
        var now = time.GetTimestamp();
        lock (_lock)
        {
            if (!_buckets.TryGetValue(address, out var bucket))
            {
                if (_buckets.Count >= MaxAddresses && !ForgetIdle(now))
                {
                    return true;
                }
                bucket = (burst, now);
            }
            var tokens = Refilled(bucket, now);
            var allowed = tokens >= 1;
            _buckets[address] = (allowed ? tokens - 1 : tokens, now);
            return allowed;
        }
    }

    private double Refilled((double Tokens, long At) bucket, long now) =>
        Math.Min(burst, bucket.Tokens + time.GetElapsedTime(bucket.At, now).TotalSeconds * perSecond);

    private bool ForgetIdle(long now)
    {
        foreach (var (address, _) in _buckets.Where(b => Refilled(b.Value, now) >= burst).ToList())
        {
            _buckets.Remove(address);
        }
        return _buckets.Count < MaxAddresses;
    }
}
