using System.CommandLine;
using OneThing.Edge.Host.Bridge;

namespace OneThing.Edge.Host.Cli;

/// <summary>`onething-edge camera-bridge`: RTSP stream, video file, image folder or image -> MQTT frames.</summary>
public static class CameraBridgeVerb
{
    public static Command Build()
    {
        var source = new Option<string>("--source") { Description = "rtsp://... URL, video file, folder of .jpg/.png, or one image", Required = true };
        var camera = new Option<string>("--camera") { Description = "Camera id (as configured under OneThing:Cameras)", Required = true };
        var fps = new Option<double>("--fps") { Description = "Frames per second to publish", DefaultValueFactory = _ => 1 };
        var broker = new Option<string>("--broker") { Description = "Broker host:port", DefaultValueFactory = _ => "127.0.0.1:1883" };
        var site = new Option<string>("--site") { Description = "Site id", DefaultValueFactory = _ => "site-1" };
        var prefix = new Option<string>("--topic-prefix") { Description = "Topic prefix", DefaultValueFactory = _ => "onething" };
        var username = new Option<string?>("--username") { Description = "Broker username (password from ONETHING_CAMERA_PASSWORD)" };
        var loop = new Option<bool>("--loop") { Description = "Start again at the end of a file or folder (demo cameras)" };
        var maxFrames = new Option<int?>("--max-frames") { Description = "Stop after this many frames" };
        var command = new Command("camera-bridge", "Publish a camera's frames to the gateway with capture times; reconnects when the stream or broker drops.")
        {
            source, camera, fps, broker, site, prefix, username, loop, maxFrames,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var rate = parse.GetValue(fps);
            var hostPort = parse.GetValue(broker)!.Split(':');
            if (rate is <= 0 or > 60 || hostPort.Length != 2 || !int.TryParse(hostPort[1], out var port))
            {
                await Console.Error.WriteLineAsync("--fps must be in (0, 60] and --broker host:port");
                return 2;
            }
            var options = new CameraBridgeOptions(
                parse.GetValue(source)!, parse.GetValue(camera)!, rate, hostPort[0], port, parse.GetValue(prefix)!, parse.GetValue(site)!,
                parse.GetValue(username), Environment.GetEnvironmentVariable("ONETHING_CAMERA_PASSWORD"), parse.GetValue(loop), parse.GetValue(maxFrames));
            try
            {
                return await new CameraBridge(options, TimeProvider.System, Console.Out).RunAsync(cancellationToken);
            }
            catch (ArgumentException e)
            {
                await Console.Error.WriteLineAsync(e.Message);
                return 2;
            }
        });
        return command;
    }
}
