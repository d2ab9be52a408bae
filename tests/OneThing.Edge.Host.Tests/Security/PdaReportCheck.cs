using OneThing.Edge.Messaging;
using OneThing.Edge.TestKit;
using Xunit;

namespace OneThing.Edge.Host.Tests.Security;

/// <summary>The broker still serves a PDA: a report from <paramref name="pda"/> is acknowledged and receipted accepted.</summary>
internal static class PdaReportCheck
{
    public static async Task AcceptedAsync(TestMqttClient pda, TopicContract topics, string deviceId)
    {
        await pda.SubscribeAsync(topics.Receipts(deviceId));
        var reportId = Guid.NewGuid().ToString();
        var puback = await pda.PublishAsync(topics.Reports(deviceId), Reports.Json(reportId));
        Assert.True(puback.IsSuccess, puback.ReasonString);
        var receipt = await pda.WaitForJsonAsync(topics.Receipts(deviceId), r => r.GetProperty("reportId").GetString() == reportId);
        Assert.Equal("accepted", receipt.GetProperty("status").GetString());
    }
}
