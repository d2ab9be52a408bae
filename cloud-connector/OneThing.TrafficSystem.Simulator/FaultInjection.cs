namespace OneThing.TrafficSystem.Simulator;

/// <summary>Body of <c>POST /admin/faults</c>; every field is optional and replaces the current setting.</summary>
public sealed record FaultSettings(int? FailNext, int? Status, int? LatencyMs, int? SlowNext, bool? Refuse);

/// <summary>
/// Faults for tests and demos, applied to <c>/api</c> calls only so the admin endpoints stay reachable:
/// fail the next N calls with a status, delay calls (the next K, or all), or drop connections without an answer.
/// A delayed call is still processed after its delay, as a real slow server would, even if the client gave up.
/// </summary>
public sealed class FaultInjection
{
    private readonly Lock _lock = new();
    private int _failNext;
    private int _status = StatusCodes.Status503ServiceUnavailable;
    private int _latencyMs;
    private int _slowNext;
    private bool _refuse;

    public void Apply(FaultSettings settings)
    {
        lock (_lock)
        {
            _failNext = settings.FailNext ?? _failNext;
            _status = settings.Status ?? _status;
            _latencyMs = settings.LatencyMs ?? _latencyMs;
            _slowNext = settings.SlowNext ?? _slowNext;
            _refuse = settings.Refuse ?? _refuse;
        }
    }

    public void Clear()
    {
        lock (_lock)
        {
            (_failNext, _status, _latencyMs, _slowNext, _refuse) = (0, StatusCodes.Status503ServiceUnavailable, 0, 0, false);
        }
    }

    public FaultSettings Current
    {
        get
        {
            lock (_lock)
            {
                return new FaultSettings(_failNext, _status, _latencyMs, _slowNext, _refuse);
            }
        }
    }

    /// <summary>Decides the fate of one call: drop it, delay it, fail it with a status (0 = do not fail).</summary>
    public (bool Refuse, int LatencyMs, int FailStatus) Next()
    {
        lock (_lock)
        {
            if (_refuse)
            {
                return (true, 0, 0);
            }
            var latency = 0;
            if (_latencyMs > 0)
            {
                latency = _latencyMs;
                if (_slowNext > 0 && --_slowNext == 0)
                {
                    // the last slow call of a counted batch: later calls are fast again
                    _latencyMs = 0;
                }
            }
            var status = 0;
            if (_failNext > 0)
            {
                _failNext--;
                status = _status;
            }
            return (false, latency, status);
        }
    }
}
