using MQTTnet;
using MQTTnet.Formatter;
using OneThing.Edge.Messaging;
using OneThing.Edge.Messaging.Security;
using OneThing.Edge.Messaging.Transport;
using OneThing.Edge.TestKit;
using Xunit;
using Xunit.Abstractions;

namespace OneThing.Edge.Host.Tests.Security;

/// <summary>
/// A subscriber that stops reading, against the real gateway (in this process, so the managed heap it holds is the
/// gateway's) and a raw TCP client that subscribes and then never reads a byte. Alone in its collection: no other
/// test's gateway may allocate in this process while the heap is measured.
/// </summary>
[Collection(HeapMeasuring.Name)]
public sealed class SlowSubscriberTests(ITestOutputHelper output)
{
    private const int Messages = 64;
    private static readonly byte[] Payload = new byte[1024 * 1024];

    [Fact]
    public async Task A_subscriber_that_stops_reading_is_held_to_its_byte_budget_while_a_reader_gets_every_message_and_a_report_is_accepted()
    {
        // No devices: the loopback demo broker, where any client may subscribe to frames, the largest messages there are.
        await using var gateway = await GatewayHarness.StartAsync();
        var port = gateway.Settings.MqttPort;
        var topics = gateway.Settings.Topics;
        var budget = new MqttOptions().MaxQueuedBytesPerClient;
        var frames = topics.Frames("cam-9"); // no such camera: the gateway ignores the frames, the broker still delivers them

        // A small receive buffer, so the kernel holds little of what the gateway sends: the rest waits in the broker.
        using var stalled = await RawMqttConnection.OpenAsync(port, receiveBuffer: 16 * 1024);
        await stalled.SendAsync(RawMqttConnection.Connect("stalled", "nobody", "none"));
        await stalled.SendAsync(RawMqttConnection.Subscribe(1, topics.Frames("+")));
        var answers = await stalled.ReadAsync(4 + 5, TimeSpan.FromSeconds(30)); // CONNACK, SUBACK; then it reads nothing more
        Assert.Equal((byte)0, RawMqttConnection.ConnAckCode(answers));
        Assert.Equal([0x90, 3, 0, 1, 1], answers[4..]);

        var received = 0;
        using var reader = new MqttClientFactory().CreateMqttClient();
        reader.ApplicationMessageReceivedAsync += _ =>
        {
            Interlocked.Increment(ref received);
            return Task.CompletedTask;
        };
        await reader.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithProtocolVersion(MqttProtocolVersion.V500).WithClientId("reader").Build());
        await reader.SubscribeAsync(frames, MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce);
        await using var camera = await TestMqttClient.ConnectAsync(port, "cam-9");

        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        for (var i = 1; i <= Messages; i++)
        {
            await camera.PublishAsync(frames, Payload);
            // The reader keeps up: each message reached it before the next is sent, so its queue never builds up.
            await Eventually.ReturnsAsync(() => Task.FromResult(Volatile.Read(ref received)), n => n >= i, TimeSpan.FromSeconds(30), $"message {i} at the reader");
        }
        var heapGrowth = GC.GetTotalMemory(forceFullCollection: true) - heapBefore;

        using var http = new HttpClient { BaseAddress = new Uri(gateway.Settings.HttpUrl) };
        // All clients' bytes: the stalled one's, and the reader's last message until its acknowledgement arrives.
        var held = await Eventually.ReturnsAsync(() => GatewayHttp.MetricAsync(http, "onething_edge_broker_queued_bytes"), n => n <= budget, what: "the broker's queued bytes within the budget");
        // From the gateway's /metrics, not a collector on the meter's name: a collector binds the first meter of that
        // name in the process, which was another test's gateway when one failed to start and stayed (CI, 2026-12-02).
        var droppedForBytes = await GatewayHttp.MetricAsync(http, "onething_edge_broker_dropped_messages", $"reason=\"{QueueDrop.QueuedBytes}\"");
        output.WriteLine($"published {Messages} x {Payload.Length / 1024} KiB; held for the stalled subscriber {held / 1024:F0} KiB (budget {budget / 1024} KiB); " +
            $"dropped for it {droppedForBytes}; gateway heap grew by {heapGrowth / 1024 / 1024} MiB");
        Assert.Equal(Messages, Volatile.Read(ref received));
        // Without the budget the broker keeps all 64 MiB for the stalled client (bar what the kernel buffers).
        Assert.True(heapGrowth < budget + 16 * 1024 * 1024, $"the gateway's heap grew by {heapGrowth / 1024 / 1024} MiB");
        Assert.InRange(held, budget - Payload.Length, budget);
        Assert.True(droppedForBytes >= Messages - budget / Payload.Length, $"{droppedForBytes} dropped");

        await using var pda = await TestMqttClient.ConnectAsync(port, "pda-1");
        await PdaReportCheck.AcceptedAsync(pda, topics, "pda-1");
    }
}

/// <summary>Tests that measure this process's managed heap: xUnit runs them one at a time, after the parallel ones.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HeapMeasuring
{
    public const string Name = "heap-measuring";
}
