using System.Globalization;
using MQTTnet.Packets;
using OneThing.Edge.Host.Bridge;
using OneThing.Edge.Messaging;
using OneThing.Edge.TestKit;
using Xunit;

namespace OneThing.Edge.Host.Tests;

public sealed class CameraBridgeTests
{
    private static readonly string Clip = TestPaths.Sample("video", "parking_cctv_timelapse_640x480.mp4");

    [Fact]
    public async Task The_bridge_publishes_the_sample_clip_at_the_requested_rate_with_monotonic_capture_times()
    {
        await using var gateway = await GatewayHarness.StartAsync();
        await using var observer = await TestMqttClient.ConnectAsync(gateway.Settings.MqttPort, "observer");
        await observer.SubscribeAsync(gateway.Settings.Topics.Frames("cam-1"), MQTTnet.Protocol.MqttQualityOfServiceLevel.AtMostOnce);
        var captured = new List<DateTimeOffset>();
        observer.Client.ApplicationMessageReceivedAsync += e =>
        {
            var value = e.ApplicationMessage.UserProperties.Single(p => p.Name == "captured-at").ReadValueAsString();
            lock (captured)
            {
                captured.Add(DateTimeOffset.Parse(value, CultureInfo.InvariantCulture));
            }
            return Task.CompletedTask;
        };

        var options = new CameraBridgeOptions(Clip, "cam-1", Fps: 10, "127.0.0.1", gateway.Settings.MqttPort, "onething", "test-site", null, null, Loop: false, MaxFrames: 20);
        var started = DateTime.UtcNow;
        Assert.Equal(0, await new CameraBridge(options, TimeProvider.System, TextWriter.Null).RunAsync(CancellationToken.None));
        var elapsed = DateTime.UtcNow - started;

        var counters = gateway.Get<IngressCounters>();
        await Eventually.ReturnsAsync(() => Task.FromResult(counters.Camera("cam-1").Received), n => n == 20, what: "20 frames at the gateway");
        await Eventually.ReturnsAsync(() => Task.FromResult(captured.Count), n => n == 20);
        var c = counters.Camera("cam-1");
        await Eventually.ReturnsAsync(() => Task.FromResult(c.Processed + c.Dropped + c.Failed), n => n == 20, TimeSpan.FromSeconds(60), "every frame processed or dropped");
        Assert.Equal(0, c.Failed);
        Assert.Equal(0, counters.Camera("cam-1").Rejected);
        lock (captured)
        {
            Assert.True(captured.Zip(captured.Skip(1)).All(p => p.Second > p.First), "capture times strictly increase");
            // 20 frames at 10 fps span ~1.9 s of capture time: the bridge paces, it does not dump the file. Lower
            // bounds only: a loaded machine stretches the span, it cannot shrink it (no wall-clock speed limit).
            var span = captured[^1] - captured[0];
            Assert.True(span >= TimeSpan.FromSeconds(1.5), $"20 frames at 10 fps captured within {span}");
        }
        Assert.True(elapsed >= TimeSpan.FromSeconds(1.5), $"20 frames at 10 fps sent within {elapsed}");
    }

    [Fact]
    public void A_missing_source_is_a_clear_error() =>
        Assert.Contains("no such file", Assert.Throws<ArgumentException>(() => FrameSource.Open("/nonexistent/cam.mp4", loop: false)).Message, StringComparison.Ordinal);

    [Fact]
    public void A_folder_of_images_is_read_in_name_order_and_loops()
    {
        var dir = TestPaths.NewTempDirectory("bridge");
        File.WriteAllBytes(Path.Combine(dir, "b.jpg"), [2]);
        File.WriteAllBytes(Path.Combine(dir, "a.jpg"), [1]);
        File.WriteAllText(Path.Combine(dir, "notes.txt"), "ignored");
        using var source = FrameSource.Open(dir, loop: true);
        Assert.Equal(new byte[][] { [1], [2], [1] }, new[] { source.Next()!, source.Next()!, source.Next()! });
    }
}
