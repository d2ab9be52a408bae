using System.IO.Compression;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using OneThing.Edge.Domain.Audit;
using OneThing.Edge.EndToEnd.Tests.Faults;
using OneThing.Edge.Host.Cli;
using OneThing.Edge.Storage.Audit;
using OneThing.Edge.Storage.Cases;
using OneThing.Edge.TestKit;
using Xunit;

namespace OneThing.Edge.EndToEnd.Tests;

/// <summary>
/// The audit trail the way an investigator meets it: a gateway that handled an officer's report and anchored its
/// chain at the simulator over HTTP, then the real `verify-audit` and `export-case` verbs on its data directory.
/// </summary>
public sealed class AuditTrailTests
{
    private sealed record HandledCase(string DataDirectory, Guid CaseId, string AnchorsUrl, IReadOnlyList<AuditAnchor> Anchors);

    /// <summary>
    /// Runs a gateway instance (<paramref name="instance"/>, its `Mqtt:ClientId`) anchoring every entry until its
    /// report's case is forwarded and the whole chain is anchored, then stops it.
    /// </summary>
    private static async Task<HandledCase> HandleOneReportAsync(SimulatorUnderTest simulator, string instance = "gateway-a")
    {
        var settings = simulator.Configure(new GatewaySettings());
        settings["OneThing:Audit:AnchorEveryEntries"] = "1";
        settings["OneThing:Audit:AnchorInterval"] = "00:00:01";
        settings["OneThing:Mqtt:ClientId"] = instance;
        var anchorsUrl = $"{simulator.Url}/api/v1/audit-anchors/{settings["OneThing:SiteId"]}/{instance}";
        await using var gateway = await GatewayHarness.StartAsync(settings);
        await using var observer = await TestMqttClient.ConnectAsync(settings.MqttPort, "observer-1");
        await observer.SubscribeAsync(settings.Topics.AuditEvents);
        await using var pda = await TestMqttClient.ConnectAsync(settings.MqttPort, "pda-1");
        await pda.PublishAsync(settings.Topics.Reports("pda-1"), Reports.Json(Guid.NewGuid().ToString()));

        var log = gateway.Get<AuditLog>();
        var cases = gateway.Get<CaseQueries>();
        var anchors = await Eventually.ReturnsAsync(async () =>
        {
            var backlog = await cases.OutboxAsync(default);
            var head = await log.HeadAsync(default);
            var held = (await simulator.Http.GetFromJsonAsync<List<AuditAnchor>>(anchorsUrl))!;
            return (Quiet: backlog.Pending == 0 && head is not null && held.Count > 0 && held[^1].Sequence == head.Sequence, held);
        }, r => r.Quiet, TimeSpan.FromSeconds(60), "case forwarded and the chain anchored up to its head");
        var published = await observer.WaitForJsonAsync(settings.Topics.AuditEvents, a => a.GetProperty("sequence").GetInt64() == anchors.held[^1].Sequence, TimeSpan.FromSeconds(15));
        Assert.Equal(anchors.held[^1].EntryHash, published.GetProperty("entryHash").GetString());
        var caseId = Guid.Parse((await cases.RecentAsync(10, default)).Single().Id);
        Assert.Contains((await log.ReadAllAsync(default)), e => e.Kind == AuditKinds.EvidenceUploaded && e.PayloadJson.Contains(caseId.ToString(), StringComparison.Ordinal));
        return new HandledCase(settings.DataDirectory, caseId, anchorsUrl, anchors.held);
    }

    private static async Task<GatewayProcess> RunAsync(string verb, params string[] args)
    {
        var process = GatewayProcess.Start(verb, args);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return process;
    }

    /// <summary>
    /// Rewrites the chain from entry <paramref name="from"/> on as an attacker with the database file would: a
    /// changed payload, and every later hash recomputed so the chain is consistent again.
    /// </summary>
    private static async Task RewriteChainAsync(string dataDirectory, long from)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(dataDirectory, "edge.db")};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete; SELECT seq, kind, at, payload_json FROM audit_log ORDER BY seq";
        var rows = new List<(long Seq, string Kind, string At, string Payload)>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                rows.Add((reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3)));
            }
        }
        AuditEntry? previous = null;
        foreach (var row in rows)
        {
            var payload = row.Seq == from ? row.Payload.Replace("\"deviceId\":\"pda-1\"", "\"deviceId\":\"pda-2\"", StringComparison.Ordinal) : row.Payload;
            Assert.True(row.Seq != from || payload != row.Payload, $"entry {from} names no reporting device to change: {row.Payload}");
            var entry = AuditChain.Next(previous, row.Kind, DateTimeOffset.Parse(row.At, System.Globalization.CultureInfo.InvariantCulture), payload);
            if (row.Seq >= from)
            {
                command.CommandText = "UPDATE audit_log SET payload_json = $p, payload_sha256 = $ps, prev_hash = $prev, entry_hash = $h WHERE seq = $seq";
                command.Parameters.Clear();
                command.Parameters.AddWithValue("$p", entry.PayloadJson);
                command.Parameters.AddWithValue("$ps", entry.PayloadSha256);
                command.Parameters.AddWithValue("$prev", entry.PreviousHash);
                command.Parameters.AddWithValue("$h", entry.EntryHash);
                command.Parameters.AddWithValue("$seq", row.Seq);
                Assert.Equal(1, await command.ExecuteNonQueryAsync());
            }
            previous = entry;
        }
    }

    [Fact]
    public async Task A_chain_rewritten_in_the_database_verifies_alone_but_the_traffic_systems_anchors_name_the_entry()
    {
        await using var simulator = await SimulatorUnderTest.StartAsync();
        var handled = await HandleOneReportAsync(simulator);
        await using (var before = await RunAsync("verify-audit", "--data", handled.DataDirectory, "--anchors", handled.AnchorsUrl, "--token", SimulatorUnderTest.Token))
        {
            Assert.True(before.ExitCode == 0, before.Output);
        }

        await RewriteChainAsync(handled.DataDirectory, from: 1); // the confirmed case names the reporting device

        await using var alone = await RunAsync("verify-audit", "--data", handled.DataDirectory);
        Assert.True(alone.ExitCode == 0, alone.Output); // what a chain alone cannot see
        await using var anchored = await RunAsync("verify-audit", "--data", handled.DataDirectory, "--anchors", handled.AnchorsUrl, "--token", SimulatorUnderTest.Token);
        Assert.Equal(VerifyAuditVerb.Tampered, anchored.ExitCode);
        var first = handled.Anchors[0].Sequence; // the first anchor covers entry 1
        Assert.Contains($"TAMPERED: entry {first}: AnchorMismatch", anchored.Output, StringComparison.Ordinal);
        Assert.Contains("at or after entry 1", anchored.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_instances_of_one_site_anchor_their_own_chains_and_each_verifies_against_its_own_anchors()
    {
        await using var simulator = await SimulatorUnderTest.StartAsync();
        // Each instance has its own data directory and chain; both chains start at entry 1 with different hashes.
        var a = await HandleOneReportAsync(simulator, "gateway-a");
        var b = await HandleOneReportAsync(simulator, "gateway-b");

        Assert.NotEqual(a.Anchors[0].EntryHash, b.Anchors[0].EntryHash);
        Assert.Equal(a.Anchors[0].Sequence, b.Anchors[0].Sequence);
        foreach (var handled in new[] { a, b })
        {
            await using var verify = await RunAsync("verify-audit", "--data", handled.DataDirectory, "--anchors", handled.AnchorsUrl, "--token", SimulatorUnderTest.Token);
            Assert.True(verify.ExitCode == 0, verify.Output);
            Assert.Contains($"and {handled.Anchors.Count} anchors held by the traffic system", verify.Output, StringComparison.Ordinal);
        }
        // The other instance's anchors are not this chain's: named as such, not reported as tampering.
        var mixed = Path.Combine(TestPaths.NewTempDirectory("anchors"), "both.json");
        await File.WriteAllTextAsync(mixed, JsonSerializer.Serialize(a.Anchors.Concat(b.Anchors), JsonSerializerOptions.Web));
        await using var wrong = await RunAsync("verify-audit", "--data", a.DataDirectory, "--anchors", mixed);
        Assert.True(wrong.ExitCode == 2, wrong.Output);
        Assert.Contains("several gateway instances", wrong.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_case_exported_with_the_cli_verifies_on_its_own_and_an_altered_photo_is_named()
    {
        await using var simulator = await SimulatorUnderTest.StartAsync();
        var handled = await HandleOneReportAsync(simulator);
        var zip = Path.Combine(TestPaths.NewTempDirectory("export"), "case.zip");

        await using (var export = await RunAsync("export-case", handled.CaseId.ToString(), "--data", handled.DataDirectory, "--out", zip))
        {
            Assert.True(export.ExitCode == 0, export.Output);
        }
        // On "another machine": only the zip and the traffic system's anchors.
        await using (var verify = await RunAsync("verify-audit", "--bundle", zip, "--anchors", handled.AnchorsUrl, "--token", SimulatorUnderTest.Token))
        {
            Assert.True(verify.ExitCode == 0, verify.Output);
            Assert.Contains($"OK: case {handled.CaseId}", verify.Output, StringComparison.Ordinal);
        }

        string photo;
        using (var archive = ZipFile.OpenRead(zip))
        {
            photo = archive.Entries.First(e => e.FullName.StartsWith(CaseBundle.EvidenceFolder, StringComparison.Ordinal) && e.FullName.EndsWith(".jpg", StringComparison.Ordinal)).FullName;
        }
        using (var archive = ZipFile.Open(zip, ZipArchiveMode.Update))
        {
            var entry = archive.GetEntry(photo)!;
            using var buffer = new MemoryStream();
            await using (var content = entry.Open())
            {
                await content.CopyToAsync(buffer);
            }
            var bytes = buffer.ToArray();
            bytes[bytes.Length / 2] ^= 0x01;
            entry.Delete();
            await using var replaced = archive.CreateEntry(photo).Open();
            await replaced.WriteAsync(bytes);
        }
        await using var altered = await RunAsync("verify-audit", "--bundle", zip);
        Assert.Equal(VerifyAuditVerb.Tampered, altered.ExitCode);
        Assert.Contains($"TAMPERED: file {photo}", altered.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Exporting_a_case_the_gateway_does_not_know_fails_with_a_clear_message()
    {
        var data = TestPaths.NewTempDirectory("export-unknown");
        var database = new OneThing.Edge.Storage.SqliteDatabase(Path.Combine(data, "edge.db"));
        await database.MigrateAsync(default);
        var id = Guid.NewGuid();

        await using var export = await RunAsync("export-case", id.ToString(), "--data", data, "--out", Path.Combine(data, "case.zip"));

        Assert.Equal(2, export.ExitCode);
        Assert.Contains($"No audit entry names case {id}", export.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(data, "case.zip")));
    }
}
