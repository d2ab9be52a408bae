using OneThing.Edge.Messaging;
using OneThing.Edge.TestKit;
using MQTTnet.Protocol;
using Xunit;

namespace OneThing.Edge.Host.Tests;

public sealed class FrameIngressIntegrationTests
{
    [Fact]
    public async Task Camera_frames_are_counted_per_camera_and_unknown_cameras_ignored()
    {
        await using var gateway = await GatewayHarness.StartAsync();
        await using var camera = await TestMqttClient.ConnectAsync(gateway.Settings.MqttPort, "camera");
        var frame = await File.ReadAllBytesAsync(TestPaths.Sample("scenes", "compound_4cars_xue1.jpg"));
        var topics = gateway.Settings.Topics;

        for (var i = 0; i < 3; i++)
        {
            await camera.PublishAsync(topics.Frames("cam-1"), frame, MqttQualityOfServiceLevel.AtMostOnce, ("captured-at", DateTimeOffset.UtcNow.ToString("O")), ("seq", i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
        await camera.PublishAsync(topics.Frames("cam-2"), frame, MqttQualityOfServiceLevel.AtMostOnce);
        await camera.PublishAsync(topics.Frames("cam-x"), frame, MqttQualityOfServiceLevel.AtMostOnce);

        var counters = gateway.Get<IngressCounters>();
        await Eventually.ReturnsAsync(() => Task.FromResult(counters.Camera("cam-1").Received + counters.Camera("cam-2").Received + counters.UnknownCameraFrames), n => n == 5);
        Assert.Equal(3, counters.Camera("cam-1").Received);
        Assert.Equal(1, counters.Camera("cam-2").Received);
        Assert.Equal(1, counters.UnknownCameras["cam-x"]);
    }
}

public sealed class StandardClientTests
{
    /// <summary>mosquitto_pub and mosquitto_sub send an empty client id; the embedded broker assigns one, as MQTT allows.</summary>
    [Fact]
    public async Task Mosquitto_command_line_clients_can_report_and_read_receipts()
    {
        await using var gateway = await GatewayHarness.StartAsync();
        var topics = gateway.Settings.Topics;
        var port = gateway.Settings.MqttPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var report = Path.Combine(gateway.Settings.DataDirectory, "report.json");
        var id = Guid.NewGuid().ToString();
        await File.WriteAllBytesAsync(report, Reports.Json(id));

        // -d prints the client's protocol steps: publish only once the broker has acknowledged the subscription
        // (SUBACK), instead of sleeping and hoping the subscriber is ready. stdbuf -oL: line-buffered, so the debug
        // lines reach the pipe as they happen, not when the process exits.
        using var sub = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("stdbuf", ["-oL", "mosquitto_sub", "-d", "-h", "127.0.0.1", "-p", port, "-V", "mqttv5", "-t", topics.Receipts("pda-1"), "-C", "1", "-W", "30"]) { RedirectStandardOutput = true })!;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var subscribed = false;
        while (!subscribed && await sub.StandardOutput.ReadLineAsync(deadline.Token) is { } line)
        {
            subscribed = line.Contains("received SUBACK", StringComparison.Ordinal);
        }
        Assert.True(subscribed, "mosquitto_sub ended before its subscription was acknowledged");
        using var pub = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("mosquitto_pub", ["-h", "127.0.0.1", "-p", port, "-V", "mqttv5", "-q", "1", "-t", topics.Reports("pda-1"), "-f", report]) { RedirectStandardError = true })!;
        await pub.WaitForExitAsync();
        Assert.True(pub.ExitCode == 0, await pub.StandardError.ReadToEndAsync());

        // The receipt is the one output line that is not a debug line ("Client ... received PUBLISH ...").
        string? receipt = null;
        while (receipt is null && await sub.StandardOutput.ReadLineAsync(deadline.Token) is { } line)
        {
            receipt = line.StartsWith('{') ? line : null;
        }
        await sub.WaitForExitAsync(deadline.Token);
        Assert.NotNull(receipt);
        Assert.Contains(id, receipt, StringComparison.Ordinal);
        Assert.Contains("\"accepted\"", receipt, StringComparison.Ordinal);
    }
}
