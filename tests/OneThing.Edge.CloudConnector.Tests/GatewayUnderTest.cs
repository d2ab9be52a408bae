using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OneThing.Edge.Domain.Cases;
using OneThing.Edge.Domain.Outbox;
using OneThing.Edge.Domain.Violations;
using OneThing.Edge.Storage;
using OneThing.Edge.Storage.Outbox;
using OneThing.Edge.Storage.Violations;
using OneThing.Edge.TestKit;
using Quartz;

namespace OneThing.Edge.CloudConnector.Tests;

/// <summary>
/// The gateway's outbox half: a real SQLite file and evidence folder, the connector with its worker and Quartz
/// sweep, composed the way the Host composes it, with short timeouts and back-off.
/// </summary>
internal sealed class GatewayUnderTest : IAsyncDisposable
{
    private readonly IHost _host;

    private GatewayUnderTest(IHost host, string directory)
    {
        _host = host;
        Directory = directory;
    }

    public string Directory { get; }
    public IServiceProvider Services => _host.Services;
    public ViolationStore Store => Services.GetRequiredService<ViolationStore>();
    public IOutbox Outbox => Services.GetRequiredService<IOutbox>();
    public FileStore Files => Services.GetRequiredService<FileStore>();
    public RecordingLifecycle Lifecycle => (RecordingLifecycle)Services.GetRequiredService<ICaseDeliveryListener>();

    public static async Task<GatewayUnderTest> StartAsync(
        Uri trafficSystem, string? directory = null, Action<IServiceCollection>? services = null, Dictionary<string, string?>? settings = null)
    {
        directory ??= TestPaths.NewTempDirectory("onething-gateway");
        var database = new SqliteDatabase(Path.Combine(directory, "edge.db"));
        await database.MigrateAsync(CancellationToken.None);

        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["OneThing:TrafficSystem:BaseUrl"] = trafficSystem.ToString(),
            ["OneThing:TrafficSystem:Token"] = TrafficSystemUnderTest.Token,
            ["OneThing:TrafficSystem:AttemptTimeout"] = "00:00:00.500",
            ["OneThing:TrafficSystem:TotalTimeout"] = "00:00:03",
            ["OneThing:TrafficSystem:SweepInterval"] = "00:00:00.200",
            ["OneThing:Outbox:RetryBaseDelay"] = "00:00:00.100",
            ["OneThing:Outbox:RetryMaxDelay"] = "00:00:00.400",
        });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }
        builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning).AddFilter("Polly", LogLevel.Error);
        builder.Services.AddSingleton(database);
        builder.Services.AddSingleton(new FileStore(Path.Combine(directory, "evidence")));
        builder.Services.AddSingleton<ICaseDeliveryListener, RecordingLifecycle>();
        builder.Services.AddViolationOutbox(builder.Configuration);
        builder.Services.AddCloudConnector(builder.Configuration);
        builder.Services.AddQuartzHostedService(q => q.WaitForJobsToComplete = true);
        services?.Invoke(builder.Services);
        var host = builder.Build();
        await host.StartAsync();
        return new GatewayUnderTest(host, directory);
    }

    /// <summary>A confirmed camera case with real evidence files in the file store.</summary>
    public async Task<Violation> NewViolationAsync(string? plate = "沪AF71017", int evidence = 0)
    {
        var now = DateTimeOffset.UtcNow;
        var items = new List<EvidenceItem>();
        for (var i = 0; i < evidence; i++)
        {
            var sha = await Files.PutAsync(System.Text.Encoding.UTF8.GetBytes($"frame {i} of {Guid.NewGuid()}"), CancellationToken.None);
            items.Add(new EvidenceItem(i == 0 ? EvidenceKinds.Overview : EvidenceKinds.Confirmation, sha, now.AddSeconds(-10 * (evidence - i)), "image/jpeg"));
        }
        return new Violation(Guid.NewGuid(), "site-1", "lane-1", ViolationSource.Camera, "cam-1", null, null, plate, 0.92, now.AddMinutes(-3), now, items);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}

/// <summary>Remembers the lifecycle events the Host would publish over MQTT.</summary>
internal sealed class RecordingLifecycle : ICaseDeliveryListener
{
    public ConcurrentQueue<(string Event, Guid ViolationId, string? Detail)> Events { get; } = new();

    public Task DeliveredAsync(Guid violationId, CaseReceipt receipt, CancellationToken cancellationToken)
    {
        Events.Enqueue(("forwarded", violationId, receipt.CaseId));
        if (receipt.NoticeStatus == NoticeStatuses.Sent)
        {
            Events.Enqueue(("notified", violationId, receipt.CaseId));
        }
        return Task.CompletedTask;
    }

    public Task DeadLetteredAsync(Guid violationId, string kind, string reason, CancellationToken cancellationToken)
    {
        Events.Enqueue(("dead-lettered", violationId, reason));
        return Task.CompletedTask;
    }
}

internal static class Eventually
{
    /// <summary>Polls until the condition holds; integration tests only (real HTTP, real time).</summary>
    public static async Task HoldsAsync(Func<Task<bool>> condition, string what, int timeoutMs = 15_000, Func<Task<string>>? describe = null)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Not within {timeoutMs} ms: {what}" + (describe is null ? "" : "; " + await describe()));
            }
            await Task.Delay(20);
        }
    }
}
