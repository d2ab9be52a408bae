using System.Globalization;
using MQTTnet.Protocol;
using OneThing.Edge.Messaging;

namespace OneThing.Edge.TestKit;

/// <summary>A test camera that plays a frame through a gateway in capture time, one frame at a time.</summary>
public static class CameraPlayer
{
    /// <summary>
    /// Publishes <paramref name="frame"/> as <paramref name="cameraId"/> with capture times 1 s apart from
    /// <paramref name="from"/>, each analysed before the next is sent; throws when the gateway failed one.
    /// </summary>
    public static async Task PlayAsync(GatewayHarness gateway, TestMqttClient camera, string cameraId, byte[] frame, DateTimeOffset from, int seconds)
    {
        var counts = gateway.Get<IngressCounters>().Camera(cameraId);
        for (var i = 0; i < seconds; i++)
        {
            var done = counts.Processed + counts.Failed;
            await camera.PublishAsync(gateway.Settings.Topics.Frames(cameraId), frame, MqttQualityOfServiceLevel.AtMostOnce,
                ("captured-at", from.AddSeconds(i).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture)));
            await Eventually.ReturnsAsync(() => Task.FromResult(counts.Processed + counts.Failed), n => n > done, TimeSpan.FromSeconds(30), "frame analysed");
        }
        if (counts.Failed > 0)
        {
            throw new InvalidOperationException($"{counts.Failed} frame(s) of {cameraId} failed analysis");
        }
    }
}
