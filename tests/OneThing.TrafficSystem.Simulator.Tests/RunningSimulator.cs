using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using OneThing.Edge.TestKit;

namespace OneThing.TrafficSystem.Simulator.Tests;

/// <summary>The simulator listening on a free loopback port, with its notices file in a temp folder.</summary>
internal sealed class RunningSimulator : IAsyncDisposable
{
    public const string Token = "test-token";

    private RunningSimulator(WebApplication app, Uri baseAddress, string noticeFile)
    {
        App = app;
        BaseAddress = baseAddress;
        NoticeFile = noticeFile;
        Client = new HttpClient { BaseAddress = baseAddress };
        Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
    }

    public WebApplication App { get; }
    public Uri BaseAddress { get; }
    public string NoticeFile { get; }
    public HttpClient Client { get; }

    public static async Task<RunningSimulator> StartAsync()
    {
        var baseAddress = new Uri($"http://127.0.0.1:{FreePort.Next()}");
        var noticeFile = Path.Combine(TestPaths.NewTempDirectory("onething-sim"), "notices.jsonl");
        var app = SimulatorApp.Build(["--urls", baseAddress.ToString(), "--Simulator:Token", Token, "--Simulator:NoticeFile", noticeFile,
            "--Serilog:MinimumLevel:Default", "Warning"]);
        await app.StartAsync();
        return new RunningSimulator(app, baseAddress, noticeFile);
    }

    public static object Intake(Guid id, string? plate = "沪AF71017", string source = "camera", params object[] evidence) => new
    {
        violationId = id,
        siteId = "site-1",
        laneId = "lane-1",
        source,
        cameraId = source == "camera" ? "cam-1" : null,
        officerId = source == "pda" ? "officer-7" : null,
        plate,
        plateConfidence = 0.91,
        firstSeenAt = "2026-11-23T08:00:00Z",
        confirmedAt = "2026-11-23T08:03:00Z",
        evidence,
    };

    public Task<HttpResponseMessage> PostCaseAsync(Guid id, object body, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/violations") { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", idempotencyKey ?? id.ToString());
        return Client.SendAsync(request);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
