using System.Globalization;
using OneThing.Edge.EndToEnd.Tests.Faults;
using OneThing.Edge.Messaging.Security;
using OneThing.Edge.Storage;
using OneThing.Edge.TestKit;

namespace OneThing.Edge.EndToEnd.Tests.Officer;

/// <summary>
/// A site for the officer app: the gateway with device logins (camera cam-1, the officer's PDA), the road lane of the
/// samples' scene, and the traffic-system simulator, which knows 浙B2V9L7's owner but not 辽DU4356's, so that car's
/// case goes to the officer's PDA within seconds of its confirmation.
/// </summary>
public sealed class OfficerSite : IAsyncDisposable
{
    /// <summary>The PDA's device id (its topics, its tasks); its login is another name, as sites often give them.</summary>
    public const string Device = "pda-7";
    public const string Username = "officer-wang";
    public const string Password = "officer-test-password";
    public const string UnownedPlate = "辽DU4356";
    private const string CameraPassword = "cam-1-test-password";
    private SimulatorUnderTest? _simulator;
    private bool _gatewayRunning;

    private OfficerSite(GatewaySettings settings) => Settings = settings;

    public GatewaySettings Settings { get; }
    public GatewayHarness Gateway { get; private set; } = null!;
    public string AppUrl => $"{Settings.HttpUrl}/officer/";

    public static async Task<OfficerSite> StartAsync()
    {
        var settings = new GatewaySettings().WithRoadLane();
        (string Id, string Username, string Password, string Role)[] devices = [("cam-1", "cam-1", CameraPassword, "camera"), (Device, Username, Password, "pda")];
        for (var i = 0; i < devices.Length; i++)
        {
            var key = DeviceKey(i);
            settings[$"{key}:Username"] = devices[i].Username;
            settings[$"{key}:PasswordHash"] = DevicePassword.HashPassword(devices[i].Password, 10_000);
            settings[$"{key}:Role"] = devices[i].Role;
            settings[$"{key}:Id"] = devices[i].Id;
        }
        settings["OneThing:Clearance:OfficerDevices:0"] = Device;
        settings["OneThing:Clearance:WatchMinutes"] = "10";
        settings["OneThing:TrafficSystem:Token"] = SimulatorUnderTest.Token;
        var site = new OfficerSite(settings);
        await site.StartSimulatorAsync();
        await site.RestartGatewayAsync();
        return site;
    }

    private static string DeviceKey(int index) => $"OneThing:Mqtt:Devices:{index.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The officer's PDA gets a new password on the gateway, which restarts with it as after a configuration change.</summary>
    public async Task ChangeOfficerPasswordAsync(string password)
    {
        await StopGatewayAsync();
        Settings[$"{DeviceKey(1)}:PasswordHash"] = DevicePassword.HashPassword(password, 10_000);
        await RestartGatewayAsync();
    }

    private async Task StartSimulatorAsync()
    {
        _simulator = await SimulatorUnderTest.KnowingOneOwnerAsync();
        Settings["OneThing:TrafficSystem:BaseUrl"] = _simulator.Url;
    }

    /// <summary>The gateway goes away (the PDA's network is gone) and comes back on the same ports and data.</summary>
    public async Task StopGatewayAsync()
    {
        _gatewayRunning = false;
        await Gateway.DisposeAsync();
    }

    public async Task RestartGatewayAsync()
    {
        Gateway = await GatewayHarness.StartAsync(Settings);
        _gatewayRunning = true;
    }

    /// <summary>25 s of the two cars on the road lane: confirmed 20 s in; 辽DU4356 has no owner on record and is escalated.</summary>
    public async Task PlayParkedCarsAsync()
    {
        await using var camera = await TestMqttClient.ConnectAsync(Settings.MqttPort, "cam-1-e2e", "cam-1", CameraPassword);
        var scene = await File.ReadAllBytesAsync(FireLaneLoopTests.Scene);
        await CameraPlayer.PlayAsync(Gateway, camera, "cam-1", scene, DateTimeOffset.UtcNow.AddSeconds(-25), 25);
    }

    /// <summary>Officer reports the gateway stored (each reportId once).</summary>
    public Task<long> StoredReportsAsync() => Gateway.Get<SqliteDatabase>().CountAsync("pda_reports");

    public async ValueTask DisposeAsync()
    {
        if (_gatewayRunning)
        {
            await Gateway.DisposeAsync();
        }
        if (_simulator is not null)
        {
            await _simulator.DisposeAsync();
        }
    }
}
