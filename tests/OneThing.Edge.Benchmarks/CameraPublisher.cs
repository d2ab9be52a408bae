using System.Diagnostics;
using System.Globalization;
using MQTTnet.Protocol;
using OneThing.Edge.TestKit;

namespace OneThing.Edge.Benchmarks;

/// <summary>
/// The cameras of a load run, as their own process (`publish` verb): 1280x720 JPEGs at 1 fps per camera with
/// `captured-at` set to the send time, spread evenly over each second, from several connections at once. Kept out of
/// the gateway's process so the load generator's threads and garbage do not count against the gateway, and so the
/// operating system, not one thread pool, shares the cores between them.
/// </summary>
public static class CameraPublisher
{
    private const int Connections = 8;

    /// <summary>Frames sent, and frames a camera skipped because the gateway had not taken its earlier ones yet.</summary>
    public sealed record Published(long Sent, long Skipped)
    {
        public double SkippedPercent => Sent + Skipped == 0 ? 0 : 100.0 * Skipped / (Sent + Skipped);
    }

    /// <summary>Runs the publisher as a child process until it has published for <paramref name="duration"/>.</summary>
    public static async Task<Published> RunChildAsync(int port, string topicTemplate, int cameras, TimeSpan duration, double sceneSeconds, CancellationToken cancellationToken)
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

    /// <summary>The `publish` verb: `--port P --topic onething/site/cameras/{camera}/frames --cameras N --seconds S [--scene-seconds K]`.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var port = PipelineBenchmark.Option(args, "--port", 1883);
        var topic = PipelineBenchmark.OptionText(args, "--topic") ?? throw new ArgumentException("--topic is required");
        var cameras = PipelineBenchmark.Option(args, "--cameras", 1);
        var duration = TimeSpan.FromSeconds(double.Parse(PipelineBenchmark.OptionText(args, "--seconds") ?? "10", CultureInfo.InvariantCulture));
        var sceneSeconds = double.Parse(PipelineBenchmark.OptionText(args, "--scene-seconds") ?? "0", CultureInfo.InvariantCulture);
        var frames = LoadRig.MakeFrames();
        var clients = new List<TestMqttClient>();
        try
        {
            for (var k = 0; k < Math.Min(cameras, Connections); k++)
            {
                clients.Add(await TestMqttClient.ConnectAsync(port, $"camera-bridge-{k}"));
            }
            var clock = Stopwatch.StartNew();
            var shares = await Task.WhenAll(clients.Select((client, k) => Task.Run(() =>
                PublishShareAsync(client, k, clients.Count, cameras, topic, frames, sceneSeconds, clock, duration))));
            Console.Out.Write(string.Create(CultureInfo.InvariantCulture, $"sent {shares.Sum(p => p.Sent)} skipped {shares.Sum(p => p.Skipped)}"));
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
    /// Camera c shows scene c (a still scene: parked cars), or, with a scene time, moves on to the next scene every
    /// <paramref name="sceneSeconds"/> (cars leave and others park), the cameras' changes staggered over that time.
    /// A camera does not catch up: when the gateway reads its socket too slowly (TCP back-pressure) and a frame is more
    /// than a second late, that frame is skipped and counted, as a camera's encoder drops frames on a full uplink.
    /// </summary>
    private static async Task<Published> PublishShareAsync(
        TestMqttClient client, int share, int shares, int cameras, string topic, List<byte[]> frames, double sceneSeconds, Stopwatch clock, TimeSpan duration)
    {
        var mine = Enumerable.Range(0, cameras).Where(c => c % shares == share).ToArray();
        var interval = TimeSpan.FromSeconds(1.0 / mine.Length);
        var phase = TimeSpan.FromSeconds((double)share / cameras);
        long sent = 0, skipped = 0;
        for (long n = 0; phase + interval * n < duration; n++)
        {
            var due = phase + interval * n;
            if (clock.Elapsed - due > TimeSpan.FromSeconds(1))
            {
                skipped++;
                continue;
            }
            if (due > clock.Elapsed)
            {
                await Task.Delay(due - clock.Elapsed);
            }
            var c = mine[n % mine.Length];
            var scene = sceneSeconds > 0 ? c + (int)((clock.Elapsed.TotalSeconds + c * sceneSeconds / cameras) / sceneSeconds) : c;
            var capturedAt = DateTimeOffset.UtcNow.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
            await client.PublishAsync(topic.Replace("{camera}", LoadRig.CameraId(c), StringComparison.Ordinal), frames[scene % frames.Count],
                MqttQualityOfServiceLevel.AtMostOnce, ("captured-at", capturedAt));
            sent++;
        }
        return new Published(sent, skipped);
    }
}
