using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OneThing.Edge.CloudConnector;
using OneThing.Edge.Domain.Outbox;
using OneThing.Edge.Domain.Violations;
using OneThing.Edge.Storage;
using OneThing.Edge.Storage.Outbox;
using OneThing.Edge.Storage.Violations;
using OneThing.Edge.TestKit;
using OneThing.TrafficSystem.Simulator;
using Quartz;

namespace OneThing.Edge.Benchmarks;

/// <summary>
/// The traffic-system loop under load, gateway outbox and simulator in one process over loopback HTTP:
/// (1) a backlog of cases piles up while the traffic system refuses connections, then drains when it comes back
/// (target >= 200 cases/s, each owner texted exactly once); (2) a steady stream of confirmations, measuring
/// confirmation -> SMS recorded by the simulator (target p99 <= 1 s).
/// Arguments: --cases N (5000), --stream N (300), --rate per second (50).
/// </summary>
public static class OutboxBenchmark
{
    private const string Token = "benchmark-token";

    public static async Task<int> RunAsync(string[] args)
    {
        var cases = Argument(args, "--cases", 5000);
        var streamCount = Argument(args, "--stream", 300);
        var rate = Argument(args, "--rate", 50);
        var directory = TestPaths.NewTempDirectory("onething-outbox-bench");
        var baseAddress = new Uri($"http://127.0.0.1:{FreePort.Next()}");
        string[] samplePlates = [.. File.ReadLines(Path.Combine(AppContext.BaseDirectory, "owners.csv")).Skip(1).Select(l => l.Split(',')[0])];

        using var gateway = await StartGatewayAsync(directory, baseAddress);
        var store = gateway.Services.GetRequiredService<ViolationStore>();

        // 1. outage: nothing listens on the traffic system's port while cases are confirmed
        Console.WriteLine($"Outbox benchmark: {cases} cases during an outage, then {streamCount} at {rate}/s; {Environment.ProcessorCount} cores");
        var enqueue = Stopwatch.StartNew();
        var backlog = new List<Guid>(cases);
        for (var i = 0; i < cases; i++)
        {
            var violation = NewViolation(samplePlates[i % samplePlates.Length], DateTimeOffset.UtcNow);
            await store.RecordAsync(violation, CancellationToken.None);
            backlog.Add(violation.Id);
        }
        enqueue.Stop();
        Console.WriteLine($"  enqueued (violation + outbox in one transaction each): {cases / enqueue.Elapsed.TotalSeconds:F0} cases/s");
        await Task.Delay(TimeSpan.FromSeconds(3)); // a few failed sweeps: back-off and an open circuit, as after a real outage

        await using var simulator = SimulatorApp.Build(["--urls", baseAddress.ToString(), "--Simulator:Token", Token,
            "--Simulator:NoticeFile", Path.Combine(directory, "notices.jsonl"), "--Serilog:MinimumLevel:Default", "Warning"]);
        var back = Stopwatch.StartNew();
        await simulator.StartAsync();
        var cases0 = simulator.Services.GetRequiredService<CaseBook>();
        TimeSpan? first = null;
        while (cases0.Count < cases)
        {
            if (first is null && cases0.Count > 0)
            {
                first = back.Elapsed;
            }
            if (back.Elapsed > TimeSpan.FromMinutes(5))
            {
                Console.WriteLine($"  FAILED: only {cases0.Count} of {cases} cases after 5 minutes");
                return 1;
            }
            await Task.Delay(5);
        }
        var drained = back.Elapsed;
        first ??= drained;
        Console.WriteLine($"  traffic system back: first case after {first.Value.TotalSeconds:F2} s (circuit breaker and sweep), all {cases} after {drained.TotalSeconds:F2} s");
        Console.WriteLine($"  drain rate: {cases / (drained - first.Value).TotalSeconds:F0} cases/s once flowing, {cases / drained.TotalSeconds:F0} cases/s from recovery (target >= 200)");

        // 2. steady stream: confirmation -> SMS recorded by the simulator
        var sms = simulator.Services.GetRequiredService<NoticeSink>();
        var confirmedAt = new Dictionary<Guid, DateTimeOffset>(streamCount);
        var interval = TimeSpan.FromSeconds(1.0 / rate);
        var pace = Stopwatch.StartNew();
        for (var i = 0; i < streamCount; i++)
        {
            var wait = interval * i - pace.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }
            var now = DateTimeOffset.UtcNow;
            var violation = NewViolation(samplePlates[i % samplePlates.Length], now);
            confirmedAt[violation.Id] = now;
            await store.RecordAsync(violation, CancellationToken.None);
        }
        var streamDeadline = Stopwatch.StartNew();
        while (sms.All.Count(n => confirmedAt.ContainsKey(n.ViolationId)) < streamCount && streamDeadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(10);
        }
        var latencies = sms.All.Where(n => confirmedAt.ContainsKey(n.ViolationId))
            .Select(n => (n.SentAt - confirmedAt[n.ViolationId]).TotalMilliseconds).Order().ToArray();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  confirmation -> SMS over {latencies.Length} cases at {rate}/s: p50 {Percentile(latencies, 0.50):F1} ms, p99 {Percentile(latencies, 0.99):F1} ms, max {latencies[^1]:F1} ms (target p99 <= 1000 ms)"));

        // 3. exactly once: one notice per case, none twice
        var notices = sms.All;
        var perCase = notices.GroupBy(n => n.ViolationId).ToDictionary(g => g.Key, g => g.Count());
        var missing = backlog.Concat(confirmedAt.Keys).Count(id => !perCase.ContainsKey(id));
        var duplicates = perCase.Values.Count(c => c > 1);
        var outbox = gateway.Services.GetRequiredService<IOutbox>();
        var notSent = 0;
        foreach (var id in backlog.Take(200))
        {
            notSent += (await outbox.ListAsync(id, CancellationToken.None)).Count(e => e.State != OutboxState.Sent);
        }
        Console.WriteLine($"  exactly-once: {notices.Count} notices for {cases + streamCount} cases, {missing} missing, {duplicates} duplicated; sampled outbox rows not Sent: {notSent}");
        await gateway.StopAsync();
        await simulator.StopAsync();
        return missing == 0 && duplicates == 0 ? 0 : 1;
    }

    private static async Task<IHost> StartGatewayAsync(string directory, Uri trafficSystem)
    {
        var database = new SqliteDatabase(Path.Combine(directory, "edge.db"));
        await database.MigrateAsync(CancellationToken.None);
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["OneThing:TrafficSystem:BaseUrl"] = trafficSystem.ToString(),
            ["OneThing:TrafficSystem:Token"] = Token,
        });
        builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Error).AddFilter("Polly", LogLevel.Critical)
            .AddFilter("Quartz", LogLevel.Critical).AddFilter("OneThing.Edge.CloudConnector", LogLevel.Critical);
        builder.Services.AddSingleton(database);
        builder.Services.AddSingleton(new FileStore(Path.Combine(directory, "evidence")));
        builder.Services.AddViolationOutbox(builder.Configuration);
        builder.Services.AddCloudConnector(builder.Configuration);
        builder.Services.AddQuartzHostedService();
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    private static Violation NewViolation(string plate, DateTimeOffset confirmedAt) =>
        new(Guid.NewGuid(), "bench-site", "lane-1", ViolationSource.Camera, "cam-1", null, null, plate, 0.95, confirmedAt.AddMinutes(-3), confirmedAt, []);

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    private static int Argument(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
