using System.Globalization;
using MQTTnet;
using MQTTnet.Formatter;
using OneThing.Edge.Messaging.Security;
using OneThing.Edge.TestKit;

namespace OneThing.Edge.Host.Tests.Security;

/// <summary>The test site's devices, their passwords, and a way to see exactly how a broker answers a login.</summary>
internal static class DeviceLogins
{
    public static readonly (string Username, string Role, string Id)[] Devices =
    [
        ("cam-1", "camera", "cam-1"),
        ("cam-2", "camera", "cam-2"),
        ("pda-1", "pda", "pda-1"),
        ("pda-2", "pda", "pda-2"),
        ("observer", "observer", ""),
    ];

    public static string PasswordOf(string username) => $"{username}-secret";

    /// <summary>Configures every device on the embedded broker (few iterations: tests, not production).</summary>
    public static GatewaySettings WithDevices(this GatewaySettings settings)
    {
        for (var i = 0; i < Devices.Length; i++)
        {
            var (username, role, id) = Devices[i];
            var key = $"OneThing:Mqtt:Devices:{i.ToString(CultureInfo.InvariantCulture)}";
            settings[$"{key}:Username"] = username;
            settings[$"{key}:PasswordHash"] = DevicePassword.HashPassword(PasswordOf(username), 10_000);
            settings[$"{key}:Role"] = role;
            settings[$"{key}:Id"] = id;
        }
        return settings;
    }

    public static Task<TestMqttClient> LoginAsync(int port, string username, string? clientId = null) =>
        TestMqttClient.ConnectAsync(port, clientId ?? $"{username}-{Guid.NewGuid():N}"[..20], username, PasswordOf(username));

    /// <summary>The CONNACK result code for a login attempt.</summary>
    public static async Task<MqttClientConnectResultCode> ConnectResultAsync(int port, string clientId, string? username, string? password)
    {
        using var client = new MqttClientFactory().CreateMqttClient();
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", port)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId(clientId)
            .WithTimeout(TimeSpan.FromSeconds(10));
        if (username is not null)
        {
            options.WithCredentials(username, password ?? "");
        }
        var result = await client.ConnectAsync(options.Build());
        if (result.ResultCode == MqttClientConnectResultCode.Success)
        {
            await client.DisconnectAsync();
        }
        return result.ResultCode;
    }
}
