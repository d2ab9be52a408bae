using Microsoft.Data.Sqlite;
using OneThing.Edge.TestKit;
using Xunit;

namespace OneThing.Edge.Host.Tests;

public sealed class CrashTests
{
    private static async Task<HashSet<string>> StoredReportIdsAsync(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, "edge.db");
        if (!File.Exists(path))
        {
            return [];
        }
        await using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT report_id FROM pda_reports";
        try
        {
            await using var reader = await command.ExecuteReaderAsync();
            var ids = new HashSet<string>(StringComparer.Ordinal);
            while (await reader.ReadAsync())
            {
                ids.Add(reader.GetString(0));
            }
            return ids;
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 1)
        {
            return []; // schema not created yet
        }
    }

    private static async Task<long> RejectionCountAsync(string dataDirectory)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(dataDirectory, "edge.db")};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM pda_rejections";
        return (long)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task Every_acknowledged_report_survives_a_SIGKILL_of_the_gateway_exactly_once()
    {
        await using var mosquitto = await MosquittoBroker.StartAsync();
        var settings = new GatewaySettings().UseExternalBroker(mosquitto);
        await using var observer = await TestMqttClient.ConnectAsync(mosquitto.Port, "observer");
        await observer.SubscribeAsync(settings.Topics.GatewayStatus);

        await using var gateway = GatewayProcess.Start("run", settings.ToProcessArgs());
        await observer.WaitForJsonAsync(settings.Topics.GatewayStatus, s => s.GetProperty("state").GetString() == "online", TimeSpan.FromSeconds(60));

        await using var pda = await TestMqttClient.ConnectAsync(mosquitto.Port, "pda-crash");
        const int Published = 200, KillAfter = 61;
        var acknowledged = new List<string>();
        for (var i = 0; i < Published; i++)
        {
            var id = Guid.NewGuid().ToString();
            var puback = await pda.PublishAsync(settings.Topics.Reports("pda-1"), Reports.Json(id));
            if (puback.IsSuccess)
            {
                acknowledged.Add(id);
            }
            if (i == KillAfter - 1)
            {
                await Eventually.ReturnsAsync(() => StoredReportIdsAsync(settings.DataDirectory), s => s.Count >= 20, TimeSpan.FromSeconds(60), "gateway storing reports");
                gateway.KillHard(); // SIGKILL while reports are arriving and being written
                await gateway.WaitForExitAsync();
                // Killed mid-stream: what it stored is some of the first 61 reports (at least the 20 waited for), none
                // of the 139 not yet published, and none invented.
                var beforeKill = await StoredReportIdsAsync(settings.DataDirectory);
                Assert.InRange(beforeKill.Count, 20, KillAfter);
                Assert.Subset(acknowledged.ToHashSet(StringComparer.Ordinal), beforeKill);
            }
        }
        Assert.Equal(Published, acknowledged.Count);

        await using var restarted = GatewayProcess.Start("run", settings.ToProcessArgs());
        var stored = await Eventually.ReturnsAsync(() => StoredReportIdsAsync(settings.DataDirectory), s => s.Count >= acknowledged.Count, TimeSpan.FromSeconds(90), "all reports stored after restart");
        // Exactly the 200 acknowledged reports: none lost, none extra, and none refused on the way (a report half
        // written at the kill and redelivered must be stored, not rejected).
        Assert.Equal(acknowledged.Order(StringComparer.Ordinal), stored.Order(StringComparer.Ordinal));
        Assert.Equal(0, await RejectionCountAsync(settings.DataDirectory));
    }

    [Fact]
    public async Task A_configuration_error_names_the_key_and_exits_non_zero()
    {
        var settings = new GatewaySettings();
        settings["OneThing:Cameras:0:Lanes:0:Polygon:0:0"] = "1.5";
        settings["OneThing:SiteId"] = "bad/site";
        await using var gateway = GatewayProcess.Start("run", settings.ToProcessArgs());
        await WaitForExitAsync(gateway);

        Assert.Equal(2, gateway.ExitCode);
        Assert.Contains("OneThing:SiteId", gateway.Output, StringComparison.Ordinal);
        Assert.Contains("OneThing:Cameras:0:Lanes:0:Polygon:0", gateway.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_self_crossing_lane_is_refused_at_start_naming_its_key()
    {
        var settings = new GatewaySettings();
        settings["OneThing:Cameras:0:Lanes:1:Id"] = "lane-b";
        // A bow tie: every point is in the frame, but edges 0 and 2 cross, so "inside" means nothing.
        float[][] bowTie = [[0.1f, 0.1f], [0.9f, 0.9f], [0.9f, 0.1f], [0.1f, 0.9f]];
        for (var i = 0; i < bowTie.Length; i++)
        {
            settings[$"OneThing:Cameras:0:Lanes:1:Polygon:{i}:0"] = bowTie[i][0].ToString(System.Globalization.CultureInfo.InvariantCulture);
            settings[$"OneThing:Cameras:0:Lanes:1:Polygon:{i}:1"] = bowTie[i][1].ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        await using var gateway = GatewayProcess.Start("run", settings.ToProcessArgs());
        await WaitForExitAsync(gateway);

        Assert.Equal(2, gateway.ExitCode);
        Assert.Contains("OneThing:Cameras:0:Lanes:1:Polygon edges 0 and 2 cross", gateway.Output, StringComparison.Ordinal);
    }

    /// <summary>A gateway refusing its configuration exits at once; a minute means it did not.</summary>
    private static async Task WaitForExitAsync(GatewayProcess gateway)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await gateway.WaitForExitAsync(timeout.Token);
    }
}
