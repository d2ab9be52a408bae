using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using OneThing.Edge.TestKit;
using OneThing.TrafficSystem.Simulator;

namespace OneThing.Edge.EndToEnd.Tests.Faults;

/// <summary>The traffic-system simulator in the test process, over real HTTP, with its fault switches.</summary>
public sealed class SimulatorUnderTest : IAsyncDisposable
{
    public const string Token = "fault-token";
    private readonly WebApplication _app;
    private bool _stopped;

    private SimulatorUnderTest(WebApplication app, string url)
    {
        _app = app;
        Url = url;
        Http = new HttpClient { BaseAddress = new Uri(url) };
        Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
    }

    public string Url { get; }
    public HttpClient Http { get; }

    /// <summary>Starts the simulator; <paramref name="settings"/> are more of its settings as command-line pairs.</summary>
    public static async Task<SimulatorUnderTest> StartAsync(params string[] settings)
    {
        var url = $"http://127.0.0.1:{FreePort.Next()}";
        var notices = Path.Combine(TestPaths.NewTempDirectory("sim"), "notices.jsonl");
        var app = SimulatorApp.Build(["--urls", url, "--Simulator:Token", Token, "--Simulator:NoticeFile", notices,
            "--Serilog:MinimumLevel:Default", "Warning", .. settings]);
        await app.StartAsync();
        return new SimulatorUnderTest(app, url);
    }

    /// <summary>A traffic system that knows 浙B2V9L7's owner and no other's: any other plate is a case without an owner.</summary>
    public static async Task<SimulatorUnderTest> KnowingOneOwnerAsync()
    {
        var owners = Path.Combine(TestPaths.NewTempDirectory("owners"), "owners.csv");
        await File.WriteAllLinesAsync(owners, ["plate,owner,phone", "浙B2V9L7,王芳,13800001234"]);
        return await StartAsync("--Simulator:OwnersCsv", owners);
    }

    /// <summary>The SMS list over the API; faults apply to <c>/api</c>, so call it only while the simulator is healthy.</summary>
    public async Task<Notice[]> NoticesAsync() => (await Http.GetFromJsonAsync<Notice[]>("/api/v1/notices"))!;

    /// <summary>The SMS list read in-process, unaffected by injected faults.</summary>
    public IReadOnlyList<Notice> NoticesSoFar => _app.Services.GetRequiredService<NoticeSink>().All;

    /// <summary>
    /// Stops listening after answering every call it has taken (as a graceful shutdown does), so a count of notices
    /// read after it (<see cref="NoticesSoFar"/>) can no longer grow.
    /// </summary>
    public async Task StopAsync()
    {
        if (!_stopped)
        {
            _stopped = true;
            await _app.StopAsync();
        }
    }

    public async Task FaultAsync(FaultSettings settings) => (await Http.PostAsJsonAsync("/admin/faults", settings)).EnsureSuccessStatusCode();

    public async Task ClearFaultsAsync() => (await Http.DeleteAsync(new Uri("/admin/faults", UriKind.Relative))).EnsureSuccessStatusCode();

    /// <summary>Points a gateway at this simulator with short timeouts and retry delays, so outages resolve in seconds.</summary>
    public GatewaySettings Configure(GatewaySettings settings)
    {
        settings["OneThing:TrafficSystem:BaseUrl"] = Url;
        settings["OneThing:TrafficSystem:Token"] = Token;
        settings["OneThing:TrafficSystem:AttemptTimeout"] = "00:00:00.500";
        settings["OneThing:TrafficSystem:TotalTimeout"] = "00:00:02";
        settings["OneThing:TrafficSystem:SweepInterval"] = "00:00:00.200";
        settings["OneThing:Outbox:RetryBaseDelay"] = "00:00:00.100";
        settings["OneThing:Outbox:RetryMaxDelay"] = "00:00:00.500";
        // Every retry logs a warning; the tests assert on the outbox instead.
        settings["Serilog:MinimumLevel:Override:Polly"] = "Fatal";
        settings["Serilog:MinimumLevel:Override:OneThing.Edge.CloudConnector"] = "Error";
        return settings;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>Reads a gateway's edge.db from outside (read-only, no pooling), as an auditor would after a fault.</summary>
public static class EdgeDatabase
{
    public static async Task<List<string>> ColumnAsync(string dataDirectory, string sql)
    {
        var path = Path.Combine(dataDirectory, "edge.db");
        if (!File.Exists(path))
        {
            return [];
        }
        await using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False;Default Timeout=5");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        try
        {
            await using var reader = await command.ExecuteReaderAsync();
            var values = new List<string>();
            while (await reader.ReadAsync())
            {
                values.Add(Convert.ToString(reader.GetValue(0), CultureInfo.InvariantCulture)!);
            }
            return values;
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 1)
        {
            return []; // tables not created yet
        }
    }

    public static Task<List<string>> ReportIdsAsync(string dataDirectory) => ColumnAsync(dataDirectory, "SELECT report_id FROM pda_reports");

    public static Task<List<string>> ViolationIdsAsync(string dataDirectory) => ColumnAsync(dataDirectory, "SELECT id FROM violations");

    /// <summary>State of every outbox message that opens a case at the traffic system.</summary>
    public static Task<List<string>> CaseMessageStatesAsync(string dataDirectory) =>
        ColumnAsync(dataDirectory, "SELECT state FROM outbox WHERE kind = 'violation'");

    public static Task<List<string>> UnsentMessageStatesAsync(string dataDirectory) =>
        ColumnAsync(dataDirectory, "SELECT state FROM outbox WHERE state <> 'Sent'");

    /// <summary>Ids of the cases from <paramref name="source"/> (camera, pda) that are queued for the traffic system.</summary>
    public static Task<List<string>> QueuedCaseIdsAsync(string dataDirectory, string source) =>
        ColumnAsync(dataDirectory, $"SELECT o.violation_id FROM outbox o JOIN violations v ON v.id = o.violation_id WHERE o.kind = 'violation' AND v.source = '{source}'");

    /// <summary>SQLite's own check of every page and index: ["ok"] for an intact file.</summary>
    public static Task<List<string>> IntegrityCheckAsync(string dataDirectory) => ColumnAsync(dataDirectory, "PRAGMA integrity_check");
}

/// <summary>PDA reports with one plate each, so every report becomes a case of its own (no merging by plate).</summary>
public static class DistinctReports
{
    private const string Letters = "ABCDEFGHJKLMNPQRSTUVWXYZ";

    public static string Plate(int i) => $"皖{Letters[i / 100_000 % Letters.Length]}{i % 100_000:D5}";

    public static byte[] Json(string reportId, int i) => Reports.Json(reportId, Plate(i));

    /// <summary>As <see cref="Json"/>, with a photo of its own (the sample with the report id in a JPEG comment), as officers' photos are.</summary>
    public static byte[] JsonWithOwnPhoto(string reportId, int i)
    {
        byte[] comment = [0xFF, 0xFE, 0, (byte)(reportId.Length + 2), .. System.Text.Encoding.ASCII.GetBytes(reportId)];
        var jpeg = Reports.PhotoJpeg;
        return Reports.Json(reportId, Plate(i), photo: [.. jpeg[..2], .. comment, .. jpeg[2..]]);
    }
}

/// <summary>The gateway's retained status on the broker.</summary>
public static class StatusWatch
{
    /// <summary>
    /// Waits for a fresh observer to read `online`: the gateway has subscribed (its session exists), so what is published
    /// from now reaches it, or waits in its session while it is down.
    /// </summary>
    public static async Task WaitOnlineAsync(MosquittoBroker broker, GatewaySettings settings)
    {
        await using var observer = await TestMqttClient.ConnectAsync(broker.Port, "observer-" + Guid.NewGuid().ToString("N")[..6]);
        await observer.SubscribeAsync(settings.StatusTopic);
        await observer.WaitForJsonAsync(settings.StatusTopic, s => s.GetProperty("state").GetString() == "online", TimeSpan.FromSeconds(60));
    }
}
