using OneThing.Edge.TestKit;
using Xunit;

namespace OneThing.Edge.Host.Tests;

/// <summary>The embedded broker keeps a bounded queue for a device that is away: the newest messages, the oldest dropped.</summary>
public sealed class OfflineDeviceQueueTests
{
    [Fact]
    public async Task A_PDA_that_was_away_gets_the_newest_messages_up_to_the_limit()
    {
        var settings = new GatewaySettings { ["OneThing:Mqtt:MaxQueuedPerDevice"] = "50" };
        await using var gateway = await GatewayHarness.StartAsync(settings);
        var tasks = settings.Topics.Tasks("pda-away");
        await using (var away = await TestMqttClient.ConnectAsync(settings.MqttPort, "pda-away", cleanStart: false))
        {
            await away.SubscribeAsync(tasks);
        }

        await using var sender = await TestMqttClient.ConnectAsync(settings.MqttPort, "dispatcher");
        for (var i = 0; i < 120; i++)
        {
            Assert.True((await sender.PublishAsync(tasks, [(byte)i])).IsSuccess);
        }

        await using var back = await TestMqttClient.ConnectAsync(settings.MqttPort, "pda-away", cleanStart: false);
        await Eventually.ReturnsAsync(() => Task.FromResult(back.Received.Count), n => n >= 50, TimeSpan.FromSeconds(10), "queued messages delivered");
        // One more message now that the PDA is back: it comes after anything still queued for it.
        Assert.True((await sender.PublishAsync(tasks, [200])).IsSuccess);
        await Eventually.ReturnsAsync(() => Task.FromResult(back.Received.Count), n => n > 0 && back.Received[^1].Payload[0] == 200, TimeSpan.FromSeconds(10), "the message sent after the return delivered");
        Assert.Equal(Enumerable.Range(70, 50).Select(i => (byte)i).Append((byte)200), back.Received.Select(m => m.Payload[0]));
    }
}
