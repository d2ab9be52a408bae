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

    [Fact]
    public void The_packet_limit_follows_the_frame_and_report_limits_unless_set()
    {
        Assert.Equal(8 * 1024 * 1024 + MqttOptions.PacketOverheadBytes, new MqttOptions().PacketLimit);
        Assert.Equal(2 * 1024 * 1024 + MqttOptions.PacketOverheadBytes, new MqttOptions { MaxFrameBytes = 1024 * 1024, MaxReportBytes = 2 * 1024 * 1024 }.PacketLimit);
        Assert.Equal(20 * 1024 * 1024, new MqttOptions { MaxPacketBytes = 20 * 1024 * 1024 }.PacketLimit);
    }

    [Fact]
    public void A_packet_limit_below_the_frame_or_report_limit_is_refused_naming_the_keys()
    {
        var result = Validate(new MqttOptions { MaxPacketBytes = 4 * 1024 * 1024 });
        Assert.True(result.Failed);
        Assert.Contains("OneThing:Mqtt:MaxPacketBytes", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("OneThing:Mqtt:MaxFrameBytes", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Pending_connections_may_not_exceed_all_connections_and_limits_stay_in_range()
    {
        Assert.Contains("OneThing:Mqtt:MaxPendingConnections", Validate(new MqttOptions { MaxConnections = 10, MaxPendingConnections = 11 }).FailureMessage, StringComparison.Ordinal);
        Assert.True(Validate(new MqttOptions { ConnectTimeoutSeconds = 0 }).Failed);
        Assert.True(Validate(new MqttOptions { MaxConcurrentPasswordChecks = 0 }).Failed);
        Assert.True(Validate(new MqttOptions { MaxConnectPacketBytes = 100 }).Failed);
        Assert.True(Validate(new MqttOptions()).Succeeded);
    }
}
