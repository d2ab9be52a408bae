using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using OneThing.Edge.Messaging.Transport;
using Xunit;

namespace OneThing.Edge.Messaging.Tests;

public class MqttOptionsTests
{
    private static readonly TopicContract Topics = new("onething", "site-1");

    private static ValidateOptionsResult Validate(MqttOptions options) =>
        new DataAnnotationValidateOptions<MqttOptions>(null).Validate(null, options);

    private static string StatusTopic(MqttOptions options)
    {
        using var counters = new IngressCounters();
        return new GatewayStatus(Topics, options, counters, new FakeTimeProvider()).Topic;
    }

    [Fact]
    public void One_gateway_reports_on_the_site_status_topic() =>
        Assert.Equal("onething/site-1/gateway/status", StatusTopic(new MqttOptions { Mode = MqttMode.External, ClientId = "gateway-a" }));

    [Fact]
    public void In_scale_out_mode_each_instance_reports_on_its_own_status_topic()
    {
        Assert.Equal("onething/site-1/gateway/gateway-a/status", StatusTopic(new MqttOptions { Mode = MqttMode.External, SharedGroup = "g", ClientId = "gateway-a" }));
        Assert.Equal("onething/site-1/gateway/onething-edge-site-1/status", StatusTopic(new MqttOptions { Mode = MqttMode.External, SharedGroup = "g" }));
    }

    [Fact]
    public void The_embedded_broker_ignores_the_shared_group() =>
        Assert.Equal("onething/site-1/gateway/status", StatusTopic(new MqttOptions { SharedGroup = "g", ClientId = "gateway-a" }));

    [Fact]
    public void Shared_frames_need_a_shared_group_on_an_external_broker()
    {
        var result = Validate(new MqttOptions { Mode = MqttMode.External, SharedFrames = true });
        Assert.True(result.Failed);
        Assert.Contains("OneThing:Mqtt:SharedFrames", result.FailureMessage, StringComparison.Ordinal);
        Assert.True(Validate(new MqttOptions { Mode = MqttMode.External, SharedGroup = "g", SharedFrames = true }).Succeeded);
    }

    [Theory]
    [InlineData("gateway-a", true)]
    [InlineData("gw_2.site", true)]
    [InlineData("gateway/a", false)]
    [InlineData("gateway+", false)]
    public void A_client_id_must_be_one_topic_level(string clientId, bool valid) =>
        Assert.Equal(valid, Validate(new MqttOptions { ClientId = clientId }).Succeeded);
}
