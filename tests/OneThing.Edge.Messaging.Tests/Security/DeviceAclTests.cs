using OneThing.Edge.Messaging.Security;
using Xunit;

namespace OneThing.Edge.Messaging.Tests.Security;

public sealed class DeviceAclTests
{
    private static readonly TopicContract Topics = new("onething", "site-1");
    private static readonly DeviceAcl Acl = new(Topics);
    private static readonly DeviceCredential Cam1 = new() { Username = "cam-1", Role = DeviceRole.Camera, Id = "cam-1" };
    private static readonly DeviceCredential Pda1 = new() { Username = "pda-1", Role = DeviceRole.Pda, Id = "pda-1" };
    private static readonly DeviceCredential Observer = new() { Username = "control-room", Role = DeviceRole.Observer };

    [Fact]
    public void A_camera_publishes_only_its_own_frames()
    {
        Assert.True(Acl.MayPublish(Cam1, Topics.Frames("cam-1")));
        Assert.False(Acl.MayPublish(Cam1, Topics.Frames("cam-2")));
        Assert.False(Acl.MayPublish(Cam1, Topics.Reports("pda-1")));
        Assert.False(Acl.MayPublish(Cam1, Topics.Reports("cam-1")));
        Assert.False(Acl.MayPublish(Cam1, "onething/other-site/cameras/cam-1/frames"));
        Assert.False(Acl.MayPublish(Cam1, "somewhere/else"));
    }

    [Fact]
    public void A_pda_publishes_only_its_own_reports_and_reads_only_its_own_receipts_and_tasks()
    {
        Assert.True(Acl.MayPublish(Pda1, Topics.Reports("pda-1")));
        Assert.False(Acl.MayPublish(Pda1, Topics.Reports("pda-2")));
        Assert.False(Acl.MayPublish(Pda1, Topics.Frames("cam-1")));

        Assert.True(Acl.MaySubscribe(Pda1, Topics.Receipts("pda-1")));
        Assert.True(Acl.MaySubscribe(Pda1, Topics.Tasks("pda-1")));
        Assert.True(Acl.MaySubscribe(Pda1, Topics.GatewayStatus));
        Assert.False(Acl.MaySubscribe(Pda1, Topics.Receipts("pda-2")));
        Assert.False(Acl.MaySubscribe(Pda1, Topics.Tasks("pda-2")));
        Assert.False(Acl.MaySubscribe(Pda1, Topics.Reports("pda-1")));
    }

    [Theory]
    [InlineData("onething/site-1/pda/+/receipts")]
    [InlineData("onething/site-1/pda/#")]
    [InlineData("onething/site-1/#")]
    [InlineData("#")]
    [InlineData("+/site-1/pda/pda-1/receipts")]
    [InlineData("onething/+/pda/pda-1/receipts")]
    [InlineData("$share/g/onething/site-1/pda/pda-1/receipts")]
    [InlineData("$SYS/#")]
    public void Wildcards_that_reach_beyond_a_pdas_own_topics_are_refused(string filter) =>
        Assert.False(Acl.MaySubscribe(Pda1, filter));

    [Theory]
    [InlineData("receipts")]
    [InlineData("tasks")]
    [InlineData("events")]
    [InlineData("status")]
    public void Nobody_but_the_gateway_publishes_gateway_owned_topics(string which)
    {
        var topic = which switch
        {
            "receipts" => Topics.Receipts("pda-1"),
            "tasks" => Topics.Tasks("pda-1"),
            "events" => Topics.ViolationEvents,
            _ => Topics.GatewayStatus,
        };
        foreach (var device in new[] { Cam1, Pda1, Observer })
        {
            Assert.False(Acl.MayPublish(device, topic), $"{device.Role} may publish {topic}");
        }
    }

    [Fact]
    public void Publishing_to_a_wildcard_topic_is_refused_even_inside_a_grant() =>
        Assert.False(Acl.MayPublish(Cam1, "onething/site-1/cameras/+/frames"));

    [Fact]
    public void An_observer_reads_events_and_status_but_nothing_personal()
    {
        Assert.True(Acl.MaySubscribe(Observer, Topics.ViolationEvents));
        Assert.True(Acl.MaySubscribe(Observer, Topics.LaneRiskEvents));
        Assert.True(Acl.MaySubscribe(Observer, Topics.AuditEvents)); // a sequence and a hash
        Assert.True(Acl.MaySubscribe(Observer, Topics.GatewayStatus));
        // Topic by topic: a wildcard would also cover an events topic added later that is not meant for observers.
        Assert.False(Acl.MaySubscribe(Observer, "onething/site-1/events/#"));
        Assert.False(Acl.MaySubscribe(Observer, "onething/site-1/events/+"));
        Assert.False(Acl.MaySubscribe(Observer, Topics.Frames("cam-1")));
        Assert.False(Acl.MaySubscribe(Observer, Topics.Receipts("pda-1")));
        Assert.False(Acl.MaySubscribe(Observer, Topics.Tasks("pda-1")));
        Assert.False(Acl.MaySubscribe(Observer, "onething/site-1/#"));
    }

    [Theory]
    [InlineData("a/b/c", "a/b/c", true)]
    [InlineData("a/+/c", "a/x/c", true)]
    [InlineData("a/+/c", "a/+/c", true)]
    [InlineData("a/+/c", "a/#", false)]
    [InlineData("a/#", "a/b/c/d", true)]
    [InlineData("a/#", "a/+", true)]
    [InlineData("a/#", "a", true)]
    [InlineData("a/b", "a/b/c", false)]
    [InlineData("a/b/c", "a/b", false)]
    [InlineData("a/b/c", "a/+/c", false)]
    public void A_grant_covers_a_filter_only_when_it_matches_everything_the_filter_does(string grant, string filter, bool covered) =>
        Assert.Equal(covered, DeviceAcl.Covers(grant, filter));
}
