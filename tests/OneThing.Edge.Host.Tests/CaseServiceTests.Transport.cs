using System.Collections.Concurrent;
using System.Text.Json;
using OneThing.Edge.Messaging.Transport;

namespace OneThing.Edge.Host.Tests;

public sealed partial class CaseServiceTests
{
    /// <summary>Stands in for the broker: keeps the tasks per officer device and the lifecycle events.</summary>
    private sealed class Transport : IGatewayBus
    {
        private readonly ConcurrentQueue<(string Topic, JsonElement Json)> _published = new();

        public bool IsConnected => true;

        public IReadOnlyList<(string Device, JsonElement Json)> Tasks =>
            _published.Where(m => m.Topic.EndsWith("/tasks", StringComparison.Ordinal)).Select(m => (m.Topic.Split('/')[^2], m.Json)).ToList();

        public IReadOnlyList<JsonElement> Events => _published.Where(m => m.Topic == Topics.ViolationEvents).Select(m => m.Json).ToList();

        /// <summary>While true every publish fails, as when the broker is unreachable.</summary>
        public bool Down { get; set; }

        public Task PublishAsync(string topic, ReadOnlyMemory<byte> payload, bool retain, CancellationToken cancellationToken)
        {
            if (Down)
            {
                throw new InvalidOperationException("broker unreachable");
            }
            _published.Enqueue((topic, JsonDocument.Parse(payload).RootElement.Clone()));
            return Task.CompletedTask;
        }
    }
}
