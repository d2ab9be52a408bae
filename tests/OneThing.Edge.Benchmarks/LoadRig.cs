using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using OneThing.Edge.Host.Pipeline;
using OneThing.Edge.Messaging;
using OneThing.Edge.TestKit;
using OpenCvSharp;

namespace OneThing.Edge.Benchmarks;

/// <summary>
/// The in-process gateway with N cameras, each a fire lane over the lower 60 % of the frame, and a publisher process
/// (<see cref="CameraPublisher"/>) that sends 1280x720 JPEG scenes at 1 fps per camera through the embedded broker.
/// Measures per-frame latency (send to detection done, by polling each camera's last analysed capture time every
/// 10 ms) and confirmation latency (capture time of the confirming frame to the `confirmed` event).
/// </summary>
public sealed class LoadRig : IAsyncDisposable
{
    public const double StopSeconds = 5;
    public const double ConfirmSeconds = 10;
    private readonly List<double> _frameLatencyMs = [];
    private readonly List<double> _confirmLatencyMs = [];
    private readonly List<double> _dwellOvershootMs = [];
    private readonly Lock _lock = new();
    private readonly SimulatorUnderBenchmark _traffic;
    private readonly List<double> _smsLatencyMs = [];
    private readonly HashSet<Guid> _texted = [];
    private int _confirmed;
    private readonly TestMqttClient _observer;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _latencyProbe;
    private readonly Task _eventReader;

    private LoadRig(GatewayHarness gateway, TestMqttClient observer, SimulatorUnderBenchmark traffic)
    {
        Gateway = gateway;
        _traffic = traffic;
        _observer = observer;
        _latencyProbe = Task.Run(ProbeLatencyAsync);
        _eventReader = Task.Run(ReadConfirmationsAsync);
    }

    public GatewayHarness Gateway { get; }

    /// <summary>Where the cameras' scene clock starts: the rig's start, so every run's ramp meets the same scene changes.</summary>
    public DateTimeOffset SceneEpoch { get; } = DateTimeOffset.UtcNow;

    public IngressCounters Counters => Gateway.Get<IngressCounters>();

    public static string CameraId(int i) => $"cam-{i + 1}";

    /// <summary>Cases confirmed whose SMS has not been sent yet.</summary>
    public int Untexted
    {
        get
        {
            lock (_lock)
            {
                return _confirmed - _texted.Count;
            }
        }
    }

    /// <summary>Starts the gateway for <paramref name="cameras"/> cameras; <paramref name="motionGate"/> switches the motion gate.</summary>
    /// <param name="overrides">Gateway settings to run with (key, value), e.g. a motion-gate setting to try before a site changes it.</param>
    public static async Task<LoadRig> StartAsync(int cameras, bool motionGate, IReadOnlyList<KeyValuePair<string, string>> overrides)
    {
        var traffic = await SimulatorUnderBenchmark.StartAsync();
        var settings = new GatewaySettings();
        settings["Serilog:MinimumLevel:Default"] = "Error";
        settings["OneThing:TrafficSystem:BaseUrl"] = traffic.Url;
        settings["OneThing:TrafficSystem:Token"] = SimulatorUnderBenchmark.Token;
        settings["OneThing:Pipeline:MotionGate:Enabled"] = motionGate.ToString();
        // Every benchmark camera connects from this one host, at once: the broker's per-address burst and its limit of
        // connections not yet logged in (sized for a site's cameras, each with its own address) would refuse them.
        // Pending logins may not exceed all connections (the options' own check), so both are raised together.
        var connections = Math.Max(1024, cameras + 64).ToString(CultureInfo.InvariantCulture);
        settings["OneThing:Mqtt:MaxConnections"] = connections;
        settings["OneThing:Mqtt:MaxConnectsPerAddress"] = connections;
        settings["OneThing:Mqtt:MaxPendingConnections"] = connections;
        float[][] road = [[0f, 0.4f], [1f, 0.4f], [1f, 1f], [0f, 1f]];
        for (var c = 0; c < cameras; c++)
        {
            settings[$"OneThing:Cameras:{c}:Id"] = CameraId(c);
            settings[$"OneThing:Cameras:{c}:Lanes:0:Id"] = $"lane-{c + 1}";
            settings[$"OneThing:Cameras:{c}:Lanes:0:StopSeconds"] = StopSeconds.ToString(CultureInfo.InvariantCulture);
            settings[$"OneThing:Cameras:{c}:Lanes:0:ConfirmSeconds"] = ConfirmSeconds.ToString(CultureInfo.InvariantCulture);
            for (var p = 0; p < road.Length; p++)
            {
                settings[$"OneThing:Cameras:{c}:Lanes:0:Polygon:{p}:0"] = road[p][0].ToString(CultureInfo.InvariantCulture);
                settings[$"OneThing:Cameras:{c}:Lanes:0:Polygon:{p}:1"] = road[p][1].ToString(CultureInfo.InvariantCulture);
            }
        }
        foreach (var (key, value) in overrides)
        {
            settings[key] = value;
        }
        var gateway = await GatewayHarness.StartAsync(settings);
        var observer = await TestMqttClient.ConnectAsync(settings.MqttPort, "observer");
        await observer.SubscribeAsync(settings.Topics.ViolationEvents);
        return new LoadRig(gateway, observer, traffic);
    }

    /// <summary>1280x720 JPEGs (quality 90) made from the sample scenes, as the vision benchmark uses.</summary>
    public static List<byte[]> MakeFrames()
    {
        var frames = new List<byte[]>();
        foreach (var file in Directory.GetFiles(TestPaths.Sample("scenes")).Order(StringComparer.Ordinal))
        {
            using var image = Cv2.ImRead(file, ImreadModes.Color);
            if (image.Empty())
            {
                continue;
            }
            using var resized = image.Resize(new Size(1280, 720), 0, 0, InterpolationFlags.Area);
            Cv2.ImEncode(".jpg", resized, out var jpeg, new ImageEncodingParam(ImwriteFlags.JpegQuality, 90));
            frames.Add(jpeg);
        }
        return frames;
    }

    /// <summary>
    /// 1 fps for each of the first <paramref name="cameras"/> cameras for <paramref name="duration"/>, from the
    /// publisher process; <paramref name="sceneSeconds"/> > 0 changes each camera's scene that often.
    /// </summary>
    public Task<CameraPublisher.Published> PublishAsync(int cameras, TimeSpan duration, CancellationToken cancellationToken, double sceneSeconds = 0) =>
        CameraPublisher.RunChildAsync(Gateway.Settings.MqttPort, Gateway.Settings.Topics.Frames("{camera}"), cameras, duration, sceneSeconds, SceneEpoch, cancellationToken);

    public Latencies TakeLatencies()
    {
        lock (_lock)
        {
            var result = new Latencies([.. _frameLatencyMs], [.. _confirmLatencyMs], [.. _dwellOvershootMs], [.. _smsLatencyMs]);
            _frameLatencyMs.Clear();
            _confirmLatencyMs.Clear();
            _dwellOvershootMs.Clear();
            _smsLatencyMs.Clear();
            return result;
        }
    }

    /// <summary>Milliseconds: send to detection done; confirming frame to `confirmed` event; dwell beyond the threshold; confirming frame to SMS.</summary>
    public sealed record Latencies(double[] FrameMs, double[] ConfirmMs, double[] OvershootMs, double[] SmsMs);

    private async Task ProbeLatencyAsync()
    {
        var pipeline = Gateway.Get<FrameAnalyser>();
        var seen = new Dictionary<string, DateTimeOffset?>(StringComparer.Ordinal);
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                var now = DateTimeOffset.UtcNow;
                foreach (var (id, watch) in pipeline.Cameras)
                {
                    var last = watch.LastFrameAt;
                    if (last is { } at && seen.GetValueOrDefault(id) != last)
                    {
                        seen[id] = last;
                        lock (_lock)
                        {
                            _frameLatencyMs.Add((now - at).TotalMilliseconds);
                        }
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task ReadConfirmationsAsync()
    {
        var handled = 0;
        var confirmations = new Dictionary<Guid, DateTimeOffset>();
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var received = _observer.Received;
                for (; handled < received.Count; handled++)
                {
                    using var json = JsonDocument.Parse(received[handled].Payload);
                    var root = json.RootElement;
                    if (root.GetProperty("event").GetString() != "confirmed" || !root.GetProperty("details").TryGetProperty("cameraId", out _))
                    {
                        continue;
                    }
                    var violationId = root.GetProperty("violationId").GetGuid();
                    var at = root.GetProperty("at").GetDateTimeOffset();
                    var details = root.GetProperty("details");
                    var confirmedAt = details.GetProperty("confirmedAt").GetDateTimeOffset();
                    var firstSeenAt = details.GetProperty("firstSeenAt").GetDateTimeOffset();
                    lock (_lock)
                    {
                        _confirmLatencyMs.Add((at - confirmedAt).TotalMilliseconds);
                        _dwellOvershootMs.Add((confirmedAt - firstSeenAt).TotalMilliseconds - (StopSeconds + ConfirmSeconds) * 1000);
                        confirmations[violationId] = confirmedAt;
                        _confirmed = confirmations.Count;
                    }
                }
                foreach (var notice in _traffic.Notices)
                {
                    if (confirmations.TryGetValue(notice.ViolationId, out var confirmedAt))
                    {
                        lock (_lock)
                        {
                            if (_texted.Add(notice.ViolationId))
                            {
                                _smsLatencyMs.Add((notice.SentAt - confirmedAt).TotalMilliseconds);
                            }
                        }
                    }
                }
                // Latencies come from the events' and notices' own times, not from when they are read here; each read
                // copies every event and notice so far (1 % of the process's CPU at 128 cameras when polled every 50 ms).
                await Task.Delay(500, _stop.Token);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public static double Percentile(double[] values, double p)
    {
        if (values.Length == 0)
        {
            return double.NaN;
        }
        var sorted = values.Order().ToArray();
        return sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_latencyProbe, _eventReader);
        await _observer.DisposeAsync();
        await Gateway.DisposeAsync();
        await _traffic.DisposeAsync();
        _stop.Dispose();
    }
}
