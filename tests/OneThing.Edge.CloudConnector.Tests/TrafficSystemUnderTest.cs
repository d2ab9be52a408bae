using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OneThing.Edge.TestKit;
using OneThing.TrafficSystem.Simulator;

namespace OneThing.Edge.CloudConnector.Tests;

/// <summary>The simulator on a fixed loopback port, so a test can start it after the gateway (it was "down").</summary>
internal sealed class TrafficSystemUnderTest : IAsyncDisposable
{
    public const string Token = "connector-test-token";

    private WebApplication? _app;
    private bool _stopped;

    public TrafficSystemUnderTest()
    {
        BaseAddress = new Uri($"http://127.0.0.1:{FreePort.Next()}");
        Client = new HttpClient { BaseAddress = BaseAddress };
        Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
    }

    public Uri BaseAddress { get; }
    public HttpClient Client { get; }
    public string NoticeFile { get; } = Path.Combine(TestPaths.NewTempDirectory("onething-ts"), "notices.jsonl");
    public OwnerRegistry Owners { get; } = OwnerRegistry.Load(Path.Combine(AppContext.BaseDirectory, "owners.csv"));

    public static async Task<TrafficSystemUnderTest> StartAsync()
    {
        var system = new TrafficSystemUnderTest();
        await system.StartListeningAsync();
        return system;
    }

    public async Task StartListeningAsync()
    {
        _app = SimulatorApp.Build(["--urls", BaseAddress.ToString(), "--Simulator:Token", Token, "--Simulator:NoticeFile", NoticeFile,
            "--Serilog:MinimumLevel:Default", "Warning"]);
        await _app.StartAsync();
    }

    /// <summary>
    /// Stops listening after answering every call it has taken (as a graceful shutdown does), so the notices read
    /// after it (<see cref="NoticesSoFar"/>) are all there will be.
    /// </summary>
    public async Task StopAsync()
    {
        if (_app is not null && !_stopped)
        {
            _stopped = true;
            await _app.StopAsync();
        }
    }

    /// <summary>The SMS list read in-process, also after <see cref="StopAsync"/>.</summary>
    public IReadOnlyList<Notice> NoticesSoFar => _app!.Services.GetRequiredService<NoticeSink>().All;

    public async Task<List<Notice>> NoticesAsync() => (await Client.GetFromJsonAsync<List<Notice>>("/api/v1/notices"))!;

    public async Task<CaseView?> CaseAsync(Guid violationId)
    {
        using var response = await Client.GetAsync($"/api/v1/violations/{violationId}");
        return response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<CaseView>() : null;
    }

    public async Task InjectAsync(object faults) => (await Client.PostAsJsonAsync("/admin/faults", faults)).Dispose();

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (_app is not null)
        {
            await StopAsync();
            await _app.DisposeAsync();
        }
    }
}
