using System.Globalization;
using System.Text;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using OneThing.Edge.Messaging;
using OneThing.Edge.Messaging.Transport;

namespace OneThing.Edge.Host.Bridge;

public sealed record CameraBridgeOptions(
    string Source, string CameraId, double Fps, string BrokerHost, int BrokerPort, string TopicPrefix, string SiteId,
    string? Username, string? Password, bool Loop, int? MaxFrames);

/// <summary>
/// Connects a real camera to the gateway: reads frames at the requested rate and publishes them to the camera's frames
/// topic with a strictly increasing `captured-at`. Reconnects to the broker and reopens a dropped stream with back-off.
/// </summary>
public sealed class CameraBridge(CameraBridgeOptions options, TimeProvider time, TextWriter log)
{
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var topic = new TopicContract(options.TopicPrefix, options.SiteId).Frames(options.CameraId);
        var interval = TimeSpan.FromSeconds(1 / options.Fps);
        using var client = new MqttClientFactory().CreateMqttClient();
        using var source = FrameSource.Open(options.Source, options.Loop);
        var published = 0L;
        var last = DateTimeOffset.MinValue;
        using var timer = new PeriodicTimer(interval, time);

        await Reconnect.RunAsync(
            async token =>
            {
                if (options.MaxFrames is { } max && published >= max)
                {
                    return false;
                }
                if (!client.IsConnected)
                {
                    await ConnectAsync(client, token);
                }
                var frame = source.Next();
                if (frame is null)
                {
                    return false;
                }
                var capturedAt = time.GetUtcNow();
                if (capturedAt <= last)
                {
                    capturedAt = last.AddMilliseconds(1); // monotonic even if the wall clock steps back
                }
                last = capturedAt;
                var message = new MqttApplicationMessageBuilder()
                    .WithTopic(topic)
                    .WithPayload(frame)
                    .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtMostOnce)
                    .WithUserProperty(InboundRouter.CapturedAtProperty, Encoding.UTF8.GetBytes(capturedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture)).AsMemory())
                    .WithUserProperty(InboundRouter.SequenceProperty, Encoding.UTF8.GetBytes(published.ToString(CultureInfo.InvariantCulture)).AsMemory())
                    .Build();
                await client.PublishAsync(message, token);
                published++;
                await timer.WaitForNextTickAsync(token);
                return true;
            },
            (e, delay) =>
            {
                // A dropped stream or broker is retried; anything else is a bug or a bad source and ends the bridge.
                if (e is not (IOException or MQTTnet.Exceptions.MqttCommunicationException or InvalidOperationException or System.Net.Sockets.SocketException))
                {
                    return false;
                }
                log.WriteLine($"camera-bridge {options.CameraId}: {e.Message}; retrying in {delay.TotalSeconds:0} s");
                return true;
            },
            time, cancellationToken);
        await log.WriteLineAsync($"camera-bridge {options.CameraId}: published {published} frames to {topic}");
        if (client.IsConnected)
        {
            await client.DisconnectAsync(cancellationToken: CancellationToken.None);
        }
        return 0;
    }

    private async Task ConnectAsync(IMqttClient client, CancellationToken cancellationToken)
    {
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(options.BrokerHost, options.BrokerPort)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId($"camera-{options.CameraId}")
            .WithTimeout(TimeSpan.FromSeconds(10));
        if (options.Username is { Length: > 0 })
        {
            builder.WithCredentials(options.Username, options.Password ?? "");
        }
        var result = await client.ConnectAsync(builder.Build(), cancellationToken);
        if (result.ResultCode != MqttClientConnectResultCode.Success)
        {
            throw new InvalidOperationException($"broker refused the camera: {result.ResultCode}");
        }
    }
}
