using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OneThing.Edge.TestKit;
using OneThing.TrafficSystem.Simulator;

namespace OneThing.Edge.Benchmarks;

/// <summary>The traffic-system simulator in the benchmark process, so confirmed cases go out and are texted.</summary>
public sealed class SimulatorUnderBenchmark : IAsyncDisposable
{
    public const string Token = "bench-token";
    private readonly WebApplication _app;

    private SimulatorUnderBenchmark(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    public string Url { get; }

    public IReadOnlyList<Notice> Notices => _app.Services.GetRequiredService<NoticeSink>().All;

    public static async Task<SimulatorUnderBenchmark> StartAsync()
    {
        var url = $"http://127.0.0.1:{FreePort.Next()}";
        // The SMS file goes to a temp folder, not the working directory (it is run output, never source).
        var notices = Path.Combine(TestPaths.NewTempDirectory("benchmark-sim"), "notices.jsonl");
        var app = SimulatorApp.Build(["--urls", url, "--Simulator:Token", Token, "--Simulator:NoticeFile", notices, "--Serilog:MinimumLevel:Default", "Error"]);
        await app.StartAsync();
        return new SimulatorUnderBenchmark(app, url);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
