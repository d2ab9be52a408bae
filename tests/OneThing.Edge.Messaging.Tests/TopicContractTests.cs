using OneThing.Edge.Messaging;
using Xunit;

namespace OneThing.Edge.Messaging.Tests;

public class TopicContractTests
{
    private readonly TopicContract _topics = new("onething", "site-1");

    [Fact]
    public void Builds_the_documented_topics()
    {
        Assert.Equal("onething/site-1/cameras/cam-1/frames", _topics.Frames("cam-1"));
        Assert.Equal("onething/site-1/pda/pda-7/reports", _topics.Reports("pda-7"));
        Assert.Equal("onething/site-1/pda/pda-7/receipts", _topics.Receipts("pda-7"));
        Assert.Equal("onething/site-1/pda/pda-7/tasks", _topics.Tasks("pda-7"));
        Assert.Equal("onething/site-1/events/violations", _topics.ViolationEvents);
        Assert.Equal("onething/site-1/gateway/status", _topics.GatewayStatus);
        Assert.Equal("onething/site-1/gateway/gateway-a/status", _topics.InstanceStatus("gateway-a"));
    }

    [Theory]
    [InlineData("onething/site-1/cameras/cam-1/frames", InboundKind.Frame, "cam-1")]
    [InlineData("onething/site-1/pda/pda_7/reports", InboundKind.PdaReport, "pda_7")]
    public void Parses_inbound_topics(string topic, InboundKind kind, string id)
    {
        var parsed = _topics.Parse(topic);
        Assert.Equal(new InboundTopic(kind, id), parsed);
    }

    [Theory]
    [InlineData("onething/site-2/cameras/cam-1/frames")]
    [InlineData("other/site-1/cameras/cam-1/frames")]
    [InlineData("onething/site-1/cameras/cam-1/frames/extra")]
    [InlineData("onething/site-1/cameras//frames")]
    [InlineData("onething/site-1/cameras/+/frames")]
    [InlineData("onething/site-1/pda/pda-7/receipts")]
    [InlineData("onething/site-1/gateway/status")]
    [InlineData("onething/site-1/gateway/gateway-a/status")]
    [InlineData("onething/site-1")]
    public void Ignores_topics_that_are_not_inbound_contracts(string topic) => Assert.Null(_topics.Parse(topic));

    [Theory]
    [InlineData("cam-1", true)]
    [InlineData("CAM_2.north", true)]
    [InlineData("", false)]
    [InlineData("a/b", false)]
    [InlineData("#", false)]
    [InlineData("摄像头", false)]
    public void Ids_are_single_safe_topic_levels(string id, bool valid) => Assert.Equal(valid, TopicContract.IsId(id));
}
