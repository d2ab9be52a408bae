using System.Text.Json;
using OneThing.Edge.Messaging.Transport;
using OneThing.Edge.Storage.Audit;
using OneThing.Edge.TestKit;
using Xunit;

namespace OneThing.Edge.Host.Tests;

/// <summary>The audit anchor retained on `events/audit` of a real Mosquitto, across a broker that lost its state.</summary>
public sealed class AuditAnchorRetainedTests : IAsyncLifetime
{
    private MosquittoBroker? _mosquitto;

    public async Task InitializeAsync() => _mosquitto = await MosquittoBroker.StartAsync();

    public async Task DisposeAsync() => await _mosquitto!.DisposeAsync();

    /// <summary>What a newly subscribed observer gets on `events/audit`: the retained anchor's sequence.</summary>
    private async Task<long> RetainedAnchorAsync(GatewaySettings settings, TimeSpan timeout)
    {
        await using var observer = await TestMqttClient.ConnectAsync(_mosquitto!.Port, "observer-" + Guid.NewGuid().ToString("N")[..6]);
        await observer.SubscribeAsync(settings.Topics.AuditEvents);
        // The retained copy comes with the subscription; an anchor published live at that moment may come first (its
        // retain flag cleared, as MQTT delivers live messages), so the retained one is looked for, not the first.
        var (_, payload, _) = await Eventually.ReturnsAsync(
            () => Task.FromResult(observer.Received.FirstOrDefault(m => m.Topic == settings.Topics.AuditEvents && m.Retain)),
            m => m.Payload is not null, timeout, "the anchor retained at the broker");
        using var anchor = JsonDocument.Parse(payload);
        return anchor.RootElement.GetProperty("sequence").GetInt64();
    }

    [Fact]
    public async Task The_last_anchor_is_retained_again_when_the_gateway_reconnects_to_a_broker_that_lost_it()
    {
        var settings = new GatewaySettings().UseExternalBroker(_mosquitto!);
        settings["OneThing:Audit:AnchorEveryEntries"] = "1";
        settings["OneThing:Audit:AnchorInterval"] = "00:00:01";
        await using var gateway = await GatewayHarness.StartAsync(settings);
        var bus = gateway.Get<IGatewayBus>();
        await Eventually.ReturnsAsync(() => Task.FromResult(bus.IsConnected), c => c, TimeSpan.FromSeconds(30), "gateway connected");
        await using (var pda = await TestMqttClient.ConnectAsync(_mosquitto!.Port, "pda-1"))
        {
            await pda.PublishAsync(settings.Topics.Reports("pda-1"), Reports.Json(Guid.NewGuid().ToString()));
        }
        // Settled: the whole chain anchored, and that anchor retained at the broker.
        var anchors = gateway.Get<AuditAnchors>();
        var log = gateway.Get<AuditLog>();
        var anchored = await Eventually.ReturnsAsync(async () => (Head: (await log.HeadAsync(default))?.Sequence, Anchor: (await anchors.LatestAsync(default))?.Sequence),
            s => s.Anchor is not null && s.Anchor == s.Head, TimeSpan.FromSeconds(60), "the chain anchored up to its head");
        await Eventually.ReturnsAsync(() => RetainedAnchorAsync(settings, TimeSpan.FromSeconds(5)), seq => seq == anchored.Anchor, TimeSpan.FromSeconds(30), "the head's anchor retained");

        // The broker comes back without its persistence file (a replaced broker, a lost disk): nothing retained.
        await _mosquitto.StopAsync();
        await Eventually.ReturnsAsync(() => Task.FromResult(bus.IsConnected), c => !c, TimeSpan.FromSeconds(30), "gateway noticed the broker is gone");
        File.Delete(Path.Combine(_mosquitto.Directory, "mosquitto.db"));
        await _mosquitto.RestartAsync();
        await Eventually.ReturnsAsync(() => Task.FromResult(bus.IsConnected), c => c, TimeSpan.FromSeconds(30), "gateway reconnected");

        Assert.Equal(anchored.Anchor, await RetainedAnchorAsync(settings, TimeSpan.FromSeconds(15)));
        Assert.Equal(anchored.Anchor, (await anchors.LatestAsync(default))!.Sequence); // published again, not a new anchor
    }
}
