using System.Net;
using System.Net.Http.Json;
using MQTTnet.Protocol;
using OneThing.Edge.Host.Pipeline;
using OneThing.Edge.TestKit;

namespace OneThing.Edge.Host.Tests.Console;

/// <summary>A test gateway with a console token, a fast risk job, and an HTTP client that can sign in.</summary>
internal static class ConsoleGateway
{
    public const string Token = "operator-test-token";

    public static GatewaySettings Settings()
    {
        var settings = new GatewaySettings();
        settings["OneThing:Console:Token"] = Token;
        settings["OneThing:Risk:IntervalSeconds"] = "1";
        return settings;
    }

    public static HttpClient Client(GatewayHarness gateway) =>
        new(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = new Uri(gateway.Settings.HttpUrl) };

    public static async Task<HttpClient> SignedInAsync(GatewayHarness gateway)
    {
        var client = Client(gateway);
        using var response = await client.PostAsJsonAsync("/api/login", new { token = Token });
        response.EnsureSuccessStatusCode();
        return client;
    }

    /// <summary>Sends a real frame from cam-1 and waits until the pipeline has processed it (so cam-1's engine exists).</summary>
    public static async Task<CameraAnalysis> SendFrameAsync(GatewayHarness gateway)
    {
        await using var camera = await TestMqttClient.ConnectAsync(gateway.Settings.MqttPort, "cam-1-" + Guid.NewGuid().ToString("N")[..6]);
        var frame = await File.ReadAllBytesAsync(TestPaths.Sample("scenes", "compound_4cars_xue1.jpg"));
        await camera.PublishAsync(gateway.Settings.Topics.Frames("cam-1"), frame, MqttQualityOfServiceLevel.AtLeastOnce,
            ("captured-at", DateTimeOffset.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture)));
        var pipeline = gateway.Get<FrameAnalyser>();
        return await Eventually.ReturnsAsync(
            () => Task.FromResult(pipeline.Cameras.GetValueOrDefault("cam-1")),
            w => w?.LatestFrame is not null, TimeSpan.FromSeconds(30), "cam-1 frame processed") ?? throw new InvalidOperationException();
    }
}
