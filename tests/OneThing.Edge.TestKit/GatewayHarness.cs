using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OneThing.Edge.Host;
using OneThing.Edge.Messaging;
using OneThing.Edge.TestKit;

namespace OneThing.Edge.TestKit;

/// <summary>
/// Settings for a test gateway: a site with camera cam-1 (lane-a over the lower half of the frame) and cam-2, data in a
/// fresh temp folder, the broker and HTTP on free ports.
/// </summary>
public sealed class GatewaySettings : Dictionary<string, string>
{
    public GatewaySettings()
    {
        this["OneThing:SiteId"] = "test-site";
        this["OneThing:DataDirectory"] = TestPaths.NewTempDirectory("gateway");
        this["OneThing:Mqtt:Port"] = FreePort.Next().ToString(CultureInfo.InvariantCulture);
        this["OneThing:Http:Urls"] = $"http://127.0.0.1:{FreePort.Next()}";
        this["OneThing:Cameras:0:Id"] = "cam-1";
        this["OneThing:Cameras:0:Lanes:0:Id"] = "lane-a";
        float[][] polygon = [[0.05f, 0.5f], [0.95f, 0.5f], [0.95f, 0.98f], [0.05f, 0.98f]];
        for (var i = 0; i < polygon.Length; i++)
        {
            this[$"OneThing:Cameras:0:Lanes:0:Polygon:{i}:0"] = polygon[i][0].ToString(CultureInfo.InvariantCulture);
            this[$"OneThing:Cameras:0:Lanes:0:Polygon:{i}:1"] = polygon[i][1].ToString(CultureInfo.InvariantCulture);
        }
        this["OneThing:Cameras:1:Id"] = "cam-2";
        this["OneThing:Models:Directory"] = TestPaths.Models;
        // No traffic system unless a test starts the simulator: cases wait in the outbox.
        this["OneThing:TrafficSystem:BaseUrl"] = $"http://127.0.0.1:{FreePort.Next()}";
        this["OneThing:TrafficSystem:Token"] = "test-token";
        this["Serilog:MinimumLevel:Default"] = "Warning";
    }

    public string DataDirectory => this["OneThing:DataDirectory"];
    public int MqttPort => int.Parse(this["OneThing:Mqtt:Port"], CultureInfo.InvariantCulture);
    public string HttpUrl => this["OneThing:Http:Urls"];

    public GatewaySettings UseExternalBroker(MosquittoBroker broker)
    {
        this["OneThing:Mqtt:Mode"] = "External";
        this["OneThing:Mqtt:Port"] = broker.Port.ToString(CultureInfo.InvariantCulture);
        this["OneThing:Mqtt:ClientId"] = "gateway-" + Guid.NewGuid().ToString("N")[..8];
        return this;
    }

    /// <summary>
    /// Makes cam-1's lane the road of the samples' scene <c>sidewalk_red_car_single_blue.png</c> (the lower 60 % of the
    /// frame, in front of the fence where 浙B2V9L7 and 辽DU4356 stand) with short demo thresholds: stopped after 5 s,
    /// confirmed 15 s later.
    /// </summary>
    public GatewaySettings WithRoadLane()
    {
        float[][] road = [[0f, 0.4f], [1f, 0.4f], [1f, 1f], [0f, 1f]];
        for (var i = 0; i < road.Length; i++)
        {
            this[$"OneThing:Cameras:0:Lanes:0:Polygon:{i}:0"] = road[i][0].ToString(CultureInfo.InvariantCulture);
            this[$"OneThing:Cameras:0:Lanes:0:Polygon:{i}:1"] = road[i][1].ToString(CultureInfo.InvariantCulture);
        }
        this["OneThing:Cameras:0:Lanes:0:StopSeconds"] = "5";
        this["OneThing:Cameras:0:Lanes:0:ConfirmSeconds"] = "15";
        return this;
    }

    public string[] ToArgs() => this.Select(kv => $"--{kv.Key}={kv.Value}").ToArray();

    public TopicContract Topics => new("onething", this["OneThing:SiteId"]);

    /// <summary>Where this gateway reports online/offline: its own topic in scale-out mode (external broker, shared group).</summary>
    public string StatusTopic => ContainsKey("OneThing:Mqtt:SharedGroup") ? Topics.InstanceStatus(this["OneThing:Mqtt:ClientId"]) : Topics.GatewayStatus;

    /// <summary>The arguments of `onething-edge run` for these settings (for <see cref="GatewayProcess"/>).</summary>
    public IEnumerable<string> ToProcessArgs() => this.SelectMany(kv => new[] { "--set", $"{kv.Key}={kv.Value}" });
}

/// <summary>The gateway in this test process, exactly as `onething-edge run` composes it.</summary>
public sealed class GatewayHarness : IAsyncDisposable
{
    private readonly WebApplication _app;

    private GatewayHarness(WebApplication app, GatewaySettings settings)
    {
        _app = app;
        Settings = settings;
    }

    public GatewaySettings Settings { get; }
    public IServiceProvider Services => _app.Services;
    public T Get<T>() where T : notnull => _app.Services.GetRequiredService<T>();

    public static async Task<GatewayHarness> StartAsync(GatewaySettings? settings = null)
    {
        settings ??= new GatewaySettings();
        var app = GatewayApp.Build(settings.ToArgs(), []);
        try
        {
            await app.StartAsync();
        }
        catch
        {
            // A gateway that failed to start would otherwise stay in the process with its meters, timers and
            // half-started services, and count into the next test's measurements.
            await app.DisposeAsync();
            throw;
        }
        return new GatewayHarness(app, settings);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>The gateway as its own OS process (`dotnet onething-edge.dll run ...`), for kill -9 tests.</summary>
public sealed class GatewayProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly System.Text.StringBuilder _output = new();

    private GatewayProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => { lock (_output) { _output.AppendLine(e.Data); } };
        _process.ErrorDataReceived += (_, e) => { lock (_output) { _output.AppendLine(e.Data); } };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public static string HostDll => Path.Combine(AppContext.BaseDirectory, "onething-edge.dll");

    /// <param name="crashAt">A <see cref="OneThing.Edge.Domain.Faults.CrashPoint"/> where the process SIGKILLs itself the first time it gets there.</param>
    public static GatewayProcess Start(string verb, IEnumerable<string> args, string? crashAt = null)
    {
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        if (crashAt is not null)
        {
            info.Environment[OneThing.Edge.Domain.Faults.CrashPoint.Variable] = crashAt;
        }
        info.ArgumentList.Add(HostDll);
        info.ArgumentList.Add(verb);
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }
        return new GatewayProcess(Process.Start(info)!);
    }

    public string Output { get { lock (_output) { return _output.ToString(); } } }

    public bool HasExited => _process.HasExited;

    /// <summary>The OS process id (for /proc/{id}/status in memory tests).</summary>
    public int Id => _process.Id;

    public int ExitCode => _process.ExitCode;

    public void KillHard() => _process.Kill(entireProcessTree: true);

    public Task WaitForExitAsync(CancellationToken cancellationToken = default) => _process.WaitForExitAsync(cancellationToken);

    /// <summary>Waits for the process to end on its own (a crash point, a refused configuration); the output says why not.</summary>
    public async Task WaitForExitAsync(TimeSpan timeout, string what)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"gateway did not exit within {timeout.TotalSeconds:0} s: {what}. Output:\n{Output}");
        }
    }

    /// <summary>The exit status of a process that SIGKILLed itself or was SIGKILLed (128 + 9).</summary>
    public const int KilledExitCode = 137;

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}

public static class Reports
{
    public static readonly byte[] PhotoJpeg = File.ReadAllBytes(TestPaths.Sample("plates", "ccpd_rpnet_demo_0.jpg"));

    /// <param name="taskId">The escalation task the report answers (`task-{violationId}`), if any.</param>
    public static byte[] Json(string reportId, string plate = "皖A195K9", string laneId = "lane-a", byte[]? photo = null, string contentType = "image/jpeg", string? taskId = null) =>
        JsonSerializer.SerializeToUtf8Bytes(new
        {
            reportId,
            officerId = "officer-7",
            plate,
            laneId,
            observedAt = DateTimeOffset.UtcNow.AddSeconds(-5).ToString("O", CultureInfo.InvariantCulture),
            photos = new[] { new { contentType, data = Convert.ToBase64String(photo ?? PhotoJpeg) } },
            taskId,
        });
}
