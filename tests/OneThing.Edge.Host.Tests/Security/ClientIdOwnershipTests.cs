using MQTTnet;
using OneThing.Edge.Messaging.Security;
using OneThing.Edge.Messaging.Transport;
using OneThing.Edge.TestKit;
using Xunit;

namespace OneThing.Edge.Host.Tests.Security;

/// <summary>Issue 14 item 3: empty client ids and the bounded map of client id owners.</summary>
public sealed class ClientIdOwnershipTests : IAsyncLifetime
{
    private GatewayHarness _gateway = null!;

    public async Task InitializeAsync() => _gateway = await GatewayHarness.StartAsync(new GatewaySettings().WithDevices());

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    private int Port => _gateway.Settings.MqttPort;
    private DeviceAccessPolicy Policy => (DeviceAccessPolicy)_gateway.Get<IBrokerAccessPolicy>();

    [Fact]
    public async Task Devices_with_empty_client_ids_do_not_lock_each_other_out()
    {
        Assert.Equal(MqttClientConnectResultCode.Success, await DeviceLogins.ConnectResultAsync(Port, "", "pda-1", DeviceLogins.PasswordOf("pda-1")));
        Assert.Equal(MqttClientConnectResultCode.Success, await DeviceLogins.ConnectResultAsync(Port, "", "pda-2", DeviceLogins.PasswordOf("pda-2")));
        Assert.Equal(MqttClientConnectResultCode.Success, await DeviceLogins.ConnectResultAsync(Port, "", "cam-1", DeviceLogins.PasswordOf("cam-1")));
        Assert.Equal(0, Policy.RecordedClientIds);
    }

    [Fact]
    public async Task No_device_may_choose_an_id_in_the_brokers_assigned_range()
    {
        var taken = EmbeddedBroker.AssignedClientIdPrefix + "0123456789abcdef";
        Assert.Equal(MqttClientConnectResultCode.ClientIdentifierNotValid, await DeviceLogins.ConnectResultAsync(Port, taken, "pda-2", DeviceLogins.PasswordOf("pda-2")));
    }

    [Fact]
    public async Task The_owners_map_keeps_at_most_a_fixed_number_of_ids_per_device()
    {
        for (var i = 0; i < DeviceAccessPolicy.MaxClientIdsPerDevice + 4; i++)
        {
            Assert.Equal(MqttClientConnectResultCode.Success, await DeviceLogins.ConnectResultAsync(Port, $"churn-{i}", "cam-2", DeviceLogins.PasswordOf("cam-2")));
        }
        Assert.Equal(DeviceAccessPolicy.MaxClientIdsPerDevice, Policy.RecordedClientIds);

        // The most recent ids are still owned: another device cannot take them.
        var recent = $"churn-{DeviceAccessPolicy.MaxClientIdsPerDevice + 3}";
        Assert.Equal(MqttClientConnectResultCode.ClientIdentifierNotValid, await DeviceLogins.ConnectResultAsync(Port, recent, "cam-1", DeviceLogins.PasswordOf("cam-1")));
    }
}
