using System.Globalization;
using System.Net.Http.Json;
using OneThing.Edge.Host.Footage;
using OneThing.Edge.Host.Tests.Console;
using OneThing.Edge.Host.WhatIf;
using OneThing.Edge.TestKit;
using OneThing.Edge.Vision;
using OpenCvSharp;

namespace OneThing.Edge.Host.Tests.Tuning;

/// <summary>
/// A console gateway whose cam-1 lane is the road of <see cref="Scene"/> (two parked cars) with demo thresholds
/// (stopped after 5 s, confirmed 15 s later) and footage kept every 2 s.
/// </summary>
internal static class TuningGateway
{
    public static readonly string Scene = TestPaths.Sample("scenes", "sidewalk_red_car_single_blue.png");

    public static GatewaySettings Settings()
    {
        var settings = ConsoleGateway.Settings().WithRoadLane();
        settings["OneThing:Footage:IntervalSeconds"] = "2";
        return settings;
    }

    /// <summary>Publishes the scene as cam-1 once per second of capture time, each frame analysed before the next is sent.</summary>
    public static async Task PlayAsync(GatewayHarness gateway, DateTimeOffset from, int seconds)
    {
        await using var camera = await TestMqttClient.ConnectAsync(gateway.Settings.MqttPort, "cam-1-" + Guid.NewGuid().ToString("N")[..6]);
        await CameraPlayer.PlayAsync(gateway, camera, "cam-1", await File.ReadAllBytesAsync(Scene), from, seconds);
    }

    /// <summary>Writes the scene straight into cam-1's footage, reduced as the recorder does, one frame every 2 s of capture time.</summary>
    public static void KeepFootage(GatewayHarness gateway, DateTimeOffset from, int frames)
    {
        var kept = ReducedJpeg.Of(File.ReadAllBytes(Scene), 640, 80);
        for (var i = 0; i < frames; i++)
        {
            gateway.Get<FootageStore>().Add("cam-1", from.AddSeconds(2 * i), kept);
        }
    }

    public static async Task<WhatIfJobView> FinishedAsync(HttpClient client, Guid jobId) =>
        await Eventually.ReturnsAsync(
            async () => (await client.GetFromJsonAsync<WhatIfJobView>($"/api/v1/what-if/{jobId}"))!,
            j => j.State is not (WhatIfStates.Queued or WhatIfStates.Running), TimeSpan.FromMinutes(5), "what-if finished");

    /// <summary>A frame's size after reduction, for the docs' claim that footage is 640 px on its longer side.</summary>
    public static (int Width, int Height) SizeOf(byte[] jpeg)
    {
        using var mat = Cv2.ImDecode(jpeg, ImreadModes.Color);
        return (mat.Width, mat.Height);
    }
}
