using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using OneThing.Edge.TestKit;
using Xunit;

namespace OneThing.Edge.Host.Tests.Security;

/// <summary>
/// When `/mqtt` is served: not when switched off, and an open broker (no devices) only to this host, as is the officer
/// API then.
/// </summary>
public sealed class MqttOverWebSocketSettingsTests
{
    private static string WebSocketUri(string httpUrl) => httpUrl.Replace("http://", "ws://", StringComparison.Ordinal) + "/mqtt";

    [Fact]
    public async Task With_websocket_disabled_mqtt_is_not_served()
    {
        var settings = new GatewaySettings();
        settings["OneThing:Mqtt:WebSocket:Enabled"] = "false";
        await using var gateway = await GatewayHarness.StartAsync(settings);

        await Assert.ThrowsAnyAsync<Exception>(() => TestMqttClient.ConnectOverWebSocketAsync(WebSocketUri(settings.HttpUrl), "pda-1-ws"));
        await using var tcp = await TestMqttClient.ConnectAsync(settings.MqttPort, "pda-1-tcp");
        using var http = new HttpClient();
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(new Uri(settings.HttpUrl + "/mqtt"))).StatusCode);
    }

    [LanAddressFact]
    public async Task An_open_broker_takes_websocket_clients_and_officer_api_calls_from_this_host_only()
    {
        var lan = LanAddressFactAttribute.Address!;
        var settings = new GatewaySettings();
        var local = settings.HttpUrl;
        var onLan = $"http://{lan}:{FreePort.Next().ToString(CultureInfo.InvariantCulture)}";
        settings["OneThing:Http:Urls"] = $"{local};{onLan}";
        await using var gateway = await GatewayHarness.StartAsync(settings);

        await using var fromThisHost = await TestMqttClient.ConnectOverWebSocketAsync(WebSocketUri(local), "pda-1-local");
        // Connecting to the LAN address makes it the remote address too: not loopback.
        await Assert.ThrowsAnyAsync<Exception>(() => TestMqttClient.ConnectOverWebSocketAsync(WebSocketUri(onLan), "pda-1-lan"));
        Assert.True(fromThisHost.Client.IsConnected);

        // The officer API likewise: from this host a login is the PDA its username names, from the LAN refused.
        using var apiHere = OfficerClient(local);
        using var apiOnLan = OfficerClient(onLan);
        Assert.Equal(HttpStatusCode.OK, (await apiHere.GetAsync("/api/v1/officer/tasks")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await apiOnLan.GetAsync("/api/v1/officer/tasks")).StatusCode);
    }

    private static HttpClient OfficerClient(string baseUrl)
    {
        var client = new HttpClient { BaseAddress = new Uri(baseUrl) };
        client.DefaultRequestHeaders.Authorization = new("Basic", Convert.ToBase64String("pda-officer-1:any"u8.ToArray()));
        return client;
    }
}

/// <summary>A fact that needs an IPv4 address of this host other than loopback; skipped, with the reason, without one.</summary>
public sealed class LanAddressFactAttribute : FactAttribute
{
    public static IPAddress? Address { get; } = NetworkInterface.GetAllNetworkInterfaces()
        .Where(i => i.OperationalStatus == OperationalStatus.Up && i.NetworkInterfaceType != NetworkInterfaceType.Loopback)
        .SelectMany(i => i.GetIPProperties().UnicastAddresses)
        .Select(a => a.Address)
        .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));

    public LanAddressFactAttribute()
    {
        if (Address is null)
        {
            Skip = "This host has no IPv4 address besides loopback, so no connection can come from a non-loopback address.";
        }
    }
}
