using OneThing.Edge.TestKit;
using Xunit;
using Xunit.Abstractions;

namespace OneThing.Edge.EndToEnd.Tests.Faults;

/// <summary>
/// Two gateway instances on one Mosquitto, subscribed to PDA reports through the same shared group: the broker gives
/// each report to one of them, so across both data directories every report is stored exactly once.
/// </summary>
public sealed class ScaleOutTests(ITestOutputHelper output)
{
    private const int Reports = 100;

    private static GatewaySettings Instance(MosquittoBroker broker, string name)
    {
        var settings = new GatewaySettings().UseExternalBroker(broker);
        settings["OneThing:Mqtt:ClientId"] = "gateway-" + name;
        settings["OneThing:Mqtt:SharedGroup"] = "site-gateways";
        return settings;
    }

    [Fact]
    public async Task Each_PDA_report_is_handled_by_exactly_one_of_two_instances()
    {
        await using var mosquitto = await MosquittoBroker.StartAsync();
        await using var first = await GatewayHarness.StartAsync(Instance(mosquitto, "a"));
        await using var second = await GatewayHarness.StartAsync(Instance(mosquitto, "b"));
        await using var observer = await TestMqttClient.ConnectAsync(mosquitto.Port, "observer");
        await observer.SubscribeAsync(first.Settings.Topics.GatewayStatus);
        await observer.WaitForJsonAsync(first.Settings.Topics.GatewayStatus, s => s.GetProperty("state").GetString() == "online", TimeSpan.FromSeconds(30));
        await Task.Delay(500); // both instances subscribed

        await using var pda = await TestMqttClient.ConnectAsync(mosquitto.Port, "pda-shared");
        var ids = new List<string>();
        for (var i = 0; i < Reports; i++)
        {
            var id = Guid.NewGuid().ToString();
            Assert.True((await pda.PublishAsync(first.Settings.Topics.Reports($"pda-{i % 4}"), DistinctReports.Json(id, i))).IsSuccess);
            ids.Add(id);
        }

        await Eventually.ReturnsAsync(
            async () => (await EdgeDatabase.ReportIdsAsync(first.Settings.DataDirectory)).Count + (await EdgeDatabase.ReportIdsAsync(second.Settings.DataDirectory)).Count,
            n => n >= Reports, TimeSpan.FromSeconds(90), "reports stored across both instances");
        await Task.Delay(1000); // a duplicate delivery, if any, would land now
        var inFirst = await EdgeDatabase.ReportIdsAsync(first.Settings.DataDirectory);
        var inSecond = await EdgeDatabase.ReportIdsAsync(second.Settings.DataDirectory);
        output.WriteLine($"instance a stored {inFirst.Count}, instance b stored {inSecond.Count}");

        Assert.Empty(inFirst.Intersect(inSecond));
        Assert.Equal(ids.Order(), inFirst.Concat(inSecond).Order());
        Assert.NotEmpty(inFirst); // the broker really split the load
        Assert.NotEmpty(inSecond);
    }
}
