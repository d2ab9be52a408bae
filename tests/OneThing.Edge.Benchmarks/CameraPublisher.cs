using System.Diagnostics;
using System.Globalization;
using MQTTnet.Protocol;
using OneThing.Edge.TestKit;

namespace OneThing.Edge.Benchmarks;

/// <summary>
/// The cameras of a load run, as their own process (`publish` verb): 1280x720 JPEGs at 1 fps per camera with
/// `captured-at` set to the send time, spread evenly over each second, one connection per camera. Kept out of
/// the gateway's process so the load generator's threads and garbage do not count against the gateway, and so the
/// operating system, not one thread pool, shares the cores between them.
/// </summary>
public static class CameraPublisher
{
    /// <summary>Frames sent, and frames a camera skipped because the gateway had not taken its earlier ones yet.</summary>
    public sealed record Published(long Sent, long Skipped)
    {
        public double SkippedPercent => Sent + Skipped == 0 ? 0 : 100.0 * Skipped / (Sent + Skipped);
    }

    /// <summary>Runs the publisher as a child process until it has published for <paramref name="duration"/>.</summary>
    public static async Task<Published> RunChildAsync(int port, string topicTemplate, int cameras, TimeSpan duration, double sceneSeconds, DateTimeOffset sceneEpoch, CancellationToken cancellationToken)
    {
        var inv = CultureInfo.InvariantCulture;
        var host = Environment.ProcessPath ?? throw new InvalidOperationException("no process path");
        var start = new ProcessStartInfo(host) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            start.ArgumentList.Add(typeof(CameraPublisher).Assembly.Location); // run as `dotnet OneThing.Edge.Benchmarks.dll`
        }
        foreach (var arg in new[]
        {
            "publish", "--port", port.ToString(inv), "--topic", topicTemplate, "--cameras", cameras.ToString(inv),
            "--seconds", duration.TotalSeconds.ToString(inv), "--scene-seconds", sceneSeconds.ToString(inv),
            "--scene-epoch", sceneEpoch.ToUnixTimeMilliseconds().ToString(inv),
        })
        {
            start.ArgumentList.Add(arg);
        }
        using var child = Process.Start(start) ?? throw new InvalidOperationException("publisher did not start");
        var errors = child.StandardError.ReadToEndAsync(CancellationToken.None);
        var counts = child.StandardOutput.ReadToEndAsync(CancellationToken.None);
        try
        {
            await child.WaitForExitAsync(cancellationToken);
        }
        finally
        {
            if (!child.HasExited)
            {
                child.Kill(entireProcessTree: true);
            }
        }
        if (child.ExitCode != 0)
        {
            throw new InvalidOperationException($"publisher exited with {child.ExitCode}: {await errors}");
        }
        var words = (await counts).Split(' ', StringSplitOptions.TrimEntries);
        return new Published(long.Parse(words[1], inv), long.Parse(words[3], inv)); // "sent N skipped M"
    }

    /// <summary>The `publish` verb: `--port P --topic onething/site/cameras/{camera}/frames --cameras N --seconds S [--scene-seconds K --scene-epoch unix-ms]`.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var port = PipelineBenchmark.Option(args, "--port", 1883);
        var topic = PipelineBenchmark.OptionText(args, "--topic") ?? throw new ArgumentException("--topic is required");
        var cameras = PipelineBenchmark.Option(args, "--cameras", 1);
        var duration = TimeSpan.FromSeconds(double.Parse(PipelineBenchmark.OptionText(args, "--seconds") ?? "10", CultureInfo.InvariantCulture));
        var sceneSeconds = double.Parse(PipelineBenchmark.OptionText(args, "--scene-seconds") ?? "0", CultureInfo.InvariantCulture);
        var sceneEpoch = long.Parse(PipelineBenchmark.OptionText(args, "--scene-epoch") ?? "0", CultureInfo.InvariantCulture);
        var frames = LoadRig.MakeFrames();
        var clients = new List<TestMqttClient>();
        try
        {
            // One connection per camera, as at a site. Shared connections were the limit, not the gateway: one MQTTnet
            // client sent ~10 frames of 250 KiB a second, so 8 connections skipped frames from ~64 cameras on even
            // against Mosquitto with nobody subscribed.
            for (var c = 0; c < cameras; c++)
            {
                clients.Add(await TestMqttClient.ConnectAsync(port, LoadRig.CameraId(c)));
            }
            var clock = Stopwatch.StartNew();
            var counts = await Task.WhenAll(clients.Select((client, c) => Task.Run(() =>
                PublishCameraAsync(client, c, cameras, topic, frames, (sceneSeconds, sceneEpoch), clock, duration))));
            Console.Out.Write(string.Create(CultureInfo.InvariantCulture, $"sent {counts.Sum(p => p.Sent)} skipped {counts.Sum(p => p.Skipped)}"));
            return 0;
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// Scene changes follow the wall clock from the ramp's start (<paramref name="epochMs"/>), so a camera's scenes carry
    /// on from one ramp level (publisher process) to the next, and two builds' runs meet the same scene changes at the
    /// same points of their ramps. From the wall clock alone, runs started at different times saw 70 cases at a level
    /// where another run saw 49 (2026-12-03), which no back-to-back comparison survives.
    /// </summary>
    private static double SceneClockSeconds(long epochMs) => (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - epochMs) / 1000.0;

    /// <summary>Camera c's scene changes this fraction of the scene time after camera 0's: spread evenly whatever the camera count.</summary>
    private static double Stagger(int c) => c * 0.6180339887 % 1;

    /// <summary>
    /// Camera c shows scene c (a still scene: parked cars), or, with a scene time, moves on to the next scene every
    /// <c>scenes.Seconds</c> (cars leave and others park), the cameras' changes staggered over that time and
    /// continuing across runs. Cameras send at even offsets within each second. A camera does not catch up: when the
    /// gateway reads its socket too slowly (TCP back-pressure) and a frame is more than a second late, that frame is
    /// skipped and counted, as a camera's encoder drops frames on a full uplink.
    /// </summary>
    private static async Task<Published> PublishCameraAsync(
        TestMqttClient client, int c, int cameras, string topic, List<byte[]> frames, (double Seconds, long EpochMs) scenes, Stopwatch clock, TimeSpan duration)
    {
        var phase = TimeSpan.FromSeconds((double)c / cameras);
        var cameraTopic = topic.Replace("{camera}", LoadRig.CameraId(c), StringComparison.Ordinal);
        long sent = 0, skipped = 0;
        for (var due = phase; due < duration; due += TimeSpan.FromSeconds(1))
        {
            if (clock.Elapsed - due > TimeSpan.FromSeconds(1))
            {
                skipped++;
                continue;
            }
            if (due > clock.Elapsed)
            {
                await Task.Delay(due - clock.Elapsed);
            }
            var scene = scenes.Seconds > 0 ? c + (int)((SceneClockSeconds(scenes.EpochMs) + Stagger(c) * scenes.Seconds) / scenes.Seconds) : c;
            var capturedAt = DateTimeOffset.UtcNow.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
            await client.PublishAsync(cameraTopic, frames[scene % frames.Count], MqttQualityOfServiceLevel.AtMostOnce, ("captured-at", capturedAt));
            sent++;
        }
        return new Published(sent, skipped);
    }
}
