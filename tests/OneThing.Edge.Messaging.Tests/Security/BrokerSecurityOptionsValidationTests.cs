using OneThing.Edge.Messaging.Security;
using Xunit;

namespace OneThing.Edge.Messaging.Tests.Security;

public sealed class BrokerSecurityOptionsValidationTests
{
    private static readonly string Hash = DevicePassword.HashPassword("pw", 10_000);

    [Fact]
    public void Valid_devices_pass()
    {
        var options = new BrokerSecurityOptions
        {
            Devices =
            [
                new() { Username = "cam-1", PasswordHash = Hash, Role = DeviceRole.Camera, Id = "cam-1" },
                new() { Username = "pda-1", PasswordHash = Hash, Role = DeviceRole.Pda, Id = "pda-1" },
                new() { Username = "control-room", PasswordHash = Hash, Role = DeviceRole.Observer },
            ],
        };
        Assert.True(new BrokerSecurityOptionsValidation().Validate(null, options).Succeeded);
    }

    [Fact]
    public void Errors_name_the_key_and_never_echo_the_secret()
    {
        var options = new BrokerSecurityOptions
        {
            Devices =
            [
                new() { Username = "cam-1", PasswordHash = "hunter2", Role = DeviceRole.Camera, Id = "cam-1" },
                new() { Username = "cam-1", PasswordHash = Hash, Role = DeviceRole.Camera, Id = "cam/#" },
            ],
            TlsPort = 8883,
            TlsCertificatePath = "/nonexistent/server.pfx",
        };

        var result = new BrokerSecurityOptionsValidation().Validate(null, options);

        Assert.True(result.Failed);
        var failures = result.Failures!.ToList();
        Assert.Contains(failures, f => f.StartsWith("OneThing:Mqtt:Devices:0:PasswordHash", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("OneThing:Mqtt:Devices:1:Username", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("OneThing:Mqtt:Devices:1:Id", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("OneThing:Mqtt:TlsCertificatePath", StringComparison.Ordinal));
        Assert.DoesNotContain(failures, f => f.Contains("hunter2", StringComparison.Ordinal));
    }
}
