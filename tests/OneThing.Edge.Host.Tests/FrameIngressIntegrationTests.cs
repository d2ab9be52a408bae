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
