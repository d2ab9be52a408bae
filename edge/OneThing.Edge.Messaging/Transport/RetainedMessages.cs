using System.Collections.Concurrent;

namespace OneThing.Edge.Messaging.Transport;

/// <summary>
/// The latest retained message the gateway published per topic (other than its status), which the external broker
/// client publishes again on every (re)connect: a broker that restarted without its persistence, or a publish missed
/// while the broker was away, would otherwise leave observers without it until the next one.
/// </summary>
public sealed class RetainedMessages
{
    private readonly ConcurrentDictionary<string, byte[]> _latest = new(StringComparer.Ordinal);

    public void Keep(string topic, byte[] payload) => _latest[topic] = payload;

    public bool Holds(string topic) => _latest.ContainsKey(topic);

    public IReadOnlyList<KeyValuePair<string, byte[]>> Latest => [.. _latest];
}
