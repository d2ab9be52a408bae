using Microsoft.Extensions.Options;
using OneThing.Edge.Messaging.Transport;
using OneThing.Edge.TestKit;
using Xunit;

namespace OneThing.Edge.Host.Tests.Security;

public sealed class BrokerSecurityStartupTests
{
    [Fact]
    public async Task A_plain_password_in_place_of_a_hash_stops_the_gateway_naming_the_key_not_the_secret()
    {
        var settings = new GatewaySettings().WithDevices();
        settings["OneThing:Mqtt:Devices:2:PasswordHash"] = "pda-1-plaintext";

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => GatewayHarness.StartAsync(settings));

        Assert.Contains("OneThing:Mqtt:Devices:2:PasswordHash", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("pda-1-plaintext", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_devices_the_embedded_broker_stays_open_for_loopback_demos()
    {
        await using var gateway = await GatewayHarness.StartAsync();
        Assert.IsType<OpenAccessPolicy>(gateway.Get<IBrokerAccessPolicy>());
        await using var anonymous = await TestMqttClient.ConnectAsync(gateway.Settings.MqttPort, "anonymous-demo");
    }

    [Fact]
    public async Task An_open_broker_on_a_network_address_stops_the_start_with_exit_code_2_naming_the_keys()
    {
        var settings = new GatewaySettings();
        settings["OneThing:Mqtt:BindAddress"] = "0.0.0.0";
        await using var gateway = GatewayProcess.Start("run", settings.ToProcessArgs());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await gateway.WaitForExitAsync(timeout.Token);

        Assert.Equal(2, gateway.ExitCode);
        Assert.Contains("OneThing:Mqtt:BindAddress", gateway.Output, StringComparison.Ordinal);
        Assert.Contains("OneThing:Mqtt:Devices", gateway.Output, StringComparison.Ordinal);
        Assert.Contains("OneThing:Mqtt:AllowAnonymous", gateway.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AllowAnonymous_opts_into_an_open_broker_on_a_network_address()
    {
        var settings = new GatewaySettings();
        settings["OneThing:Mqtt:BindAddress"] = "0.0.0.0";
        settings["OneThing:Mqtt:AllowAnonymous"] = "true";
        await using var gateway = await GatewayHarness.StartAsync(settings);
        await using var anonymous = await TestMqttClient.ConnectAsync(gateway.Settings.MqttPort, "anonymous-lan");
    }
}
