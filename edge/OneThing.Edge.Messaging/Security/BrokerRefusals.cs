using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace OneThing.Edge.Messaging.Security;

public enum RefusalKind { Connect, Publish, Subscribe }

/// <summary>Refused connections, publishes and subscriptions by kind and reason, for /metrics.</summary>
public sealed class BrokerRefusals : IDisposable
{
    public const string MeterName = "OneThing.Edge.Broker";

    private readonly Meter _meter = new(MeterName);
    private readonly Counter<long> _refusals;
    /// <summary>This broker's own counts beside the meter's: tests run several gateways in one process, and a listener on the meter's name hears them all.</summary>
    private readonly ConcurrentDictionary<(RefusalKind, string), long> _counts = new();

    public BrokerRefusals() =>
        _refusals = _meter.CreateCounter<long>("refusals", description: "Broker requests refused by kind (connect, publish, subscribe) and reason");

    public void Add(RefusalKind kind, string reason)
    {
        _counts.AddOrUpdate((kind, reason), 1, (_, n) => n + 1);
        _refusals.Add(1, new("kind", kind.ToString().ToLowerInvariant()), new("reason", reason));
    }

    public long Count(RefusalKind kind) => _counts.Where(c => c.Key.Item1 == kind).Sum(c => c.Value);

    public long Count(RefusalKind kind, string reason) => _counts.GetValueOrDefault((kind, reason));

    public void Dispose() => _meter.Dispose();
}
