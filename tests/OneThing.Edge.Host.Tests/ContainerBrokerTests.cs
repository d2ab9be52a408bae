using DotNet.Testcontainers.Builders;
using OneThing.Edge.Storage.Reports;
using OneThing.Edge.TestKit;
using Xunit;

namespace OneThing.Edge.Host.Tests;

public sealed class ContainerBrokerTests
{
    [DockerFact]
    public async Task A_report_through_a_Mosquitto_container_is_committed_and_receipted()
    {
        await using var container = new ContainerBuilder("eclipse-mosquitto:2")
            .WithCommand("mosquitto", "-c", "/mosquitto-no-auth.conf")
            .WithPortBinding(1883, assignRandomHostPort: true)
            .WithWaitStrategy(Wait.ForUnixContainer().UntilInternalTcpPortIsAvailable(1883, _ => { }))
            .Build();
        await container.StartAsync();
        var port = container.GetMappedPublicPort(1883);

        var settings = new GatewaySettings();
        settings["OneThing:Mqtt:Mode"] = "External";
        settings["OneThing:Mqtt:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var gateway = await GatewayHarness.StartAsync(settings);
        await using var pda = await TestMqttClient.ConnectAsync(port, "pda-container");
        await pda.SubscribeAsync(settings.Topics.Receipts("pda-1"));
        await Eventually.ReturnsAsync(() => Task.FromResult(gateway.Get<OneThing.Edge.Messaging.Transport.IGatewayBus>().IsConnected), c => c);

        var id = Guid.NewGuid().ToString();
        await pda.PublishAsync(settings.Topics.Reports("pda-1"), Reports.Json(id));
        var receipt = await pda.WaitForJsonAsync(settings.Topics.Receipts("pda-1"));
        Assert.Equal("accepted", receipt.GetProperty("status").GetString());
        Assert.NotNull(await gateway.Get<PdaReportStore>().FindAsync(id, default));
    }
}
