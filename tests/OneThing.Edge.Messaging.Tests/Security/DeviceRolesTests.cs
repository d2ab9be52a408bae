using Microsoft.Extensions.Logging.Abstractions;
using OneThing.Edge.Messaging.Security;
using Xunit;

namespace OneThing.Edge.Messaging.Tests.Security;

/// <summary>The gateway's own check of a sender's role, whatever the broker's ACL let through.</summary>
public sealed class DeviceRolesTests
{
    private static readonly DeviceCredential[] Devices =
    [
        new() { Username = "cam-1", Role = DeviceRole.Camera, Id = "cam-1" },
        new() { Username = "handset-7", Role = DeviceRole.Pda, Id = "pda-1" },
        new() { Username = "control-room", Role = DeviceRole.Observer },
    ];

    private readonly BrokerRefusals _refusals = new();

    private DeviceRoles Roles(params DeviceCredential[] devices) => new(devices, _refusals, NullLogger<DeviceRoles>.Instance);

    private static InboundTopic Report(string device) => new(InboundKind.PdaReport, device);

    private static InboundTopic Frame(string camera) => new(InboundKind.Frame, camera);

    [Fact]
    public void On_the_embedded_broker_a_report_comes_only_from_the_pda_session_under_its_own_id()
    {
        var roles = Roles(Devices);
        Assert.True(roles.MaySend(Report("pda-1"), "handset-7"));
        Assert.False(roles.MaySend(Report("cam-1"), "cam-1"));
        Assert.False(roles.MaySend(Report("control-room"), "control-room"));
        Assert.False(roles.MaySend(Report("pda-2"), "handset-7"));
        Assert.False(roles.MaySend(Report("pda-1"), "someone-else"));
        Assert.Equal(4, _refusals.Count(RefusalKind.Publish, "role"));
    }

    [Fact]
    public void On_the_embedded_broker_a_frame_comes_only_from_the_camera_it_names()
    {
        var roles = Roles(Devices);
        Assert.True(roles.MaySend(Frame("cam-1"), "cam-1"));
        Assert.False(roles.MaySend(Frame("cam-2"), "cam-1"));
        Assert.False(roles.MaySend(Frame("pda-1"), "handset-7"));
        Assert.False(roles.MaySend(Frame("cam-1"), "handset-7"));
    }

    [Fact]
    public void Through_an_external_broker_the_topics_id_must_be_a_configured_device_of_that_role()
    {
        var roles = Roles(new DeviceCredential { Role = DeviceRole.Pda, Id = "pda-1" }, new DeviceCredential { Role = DeviceRole.Camera, Id = "cam-1" });
        Assert.True(roles.MaySend(Report("pda-1"), sessionUsername: null));
        Assert.True(roles.MaySend(Frame("cam-1"), sessionUsername: null));
        Assert.False(roles.MaySend(Report("cam-1"), sessionUsername: null));
        Assert.False(roles.MaySend(Report("observer"), sessionUsername: null));
        Assert.False(roles.MaySend(Frame("pda-1"), sessionUsername: null));
    }

    [Fact]
    public void With_no_devices_configured_nothing_is_checked() =>
        Assert.True(Roles().MaySend(Report("anything"), null) && Roles().MaySend(Frame("cam-1"), "whoever"));
}
