using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using MQTTnet;
using MQTTnet.Protocol;
using OneThing.Edge.TestKit;
using Xunit;
using Xunit.Abstractions;

namespace OneThing.Edge.EndToEnd.Tests.Faults;

/// <summary>
/// The gateway (its own process, embedded broker) keeps its data on a small tmpfs that the test fills to the last few
/// KiB while PDA reports and camera frames arrive, and then frees. While full: each report is refused with
/// `storage-full` (no PUBACK success; no receipt unless the report itself was stored), the log names the disk, the
/// camera keeps going and its confirmed cases wait in memory, nothing half-written is left and the database stays
/// intact. After: refused reports sent again are stored once, new ones are accepted, and both the waiting camera cases
/// and new PDA cases reach the outbox.
/// </summary>
public sealed class DiskFullTests(ITestOutputHelper output)
{
    private const int LeftFree = 16 * 1024;
    private readonly DateTimeOffset _t0 = DateTimeOffset.UtcNow.AddMinutes(-4);

    [SmallDiskFact]
    public async Task A_full_disk_refuses_reports_and_holds_camera_cases_and_everything_is_stored_once_space_returns()
    {
        using var disk = SmallDisk.Mount(megabytes: 32);
        var settings = new GatewaySettings().WithRoadLane();
        var data = Path.Combine(disk.Path, "data");
        settings["OneThing:DataDirectory"] = data;
        // Every frame of the test is analysed (none dropped), however fast the test publishes them.
        settings["OneThing:Mqtt:FrameQueueCapacity"] = "64";
        // No traffic system here: its retries would drown the output.
        settings["Serilog:MinimumLevel:Override:Polly"] = "Fatal";
        await using var gateway = GatewayProcess.Start("run", settings.ToProcessArgs());
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri(settings.HttpUrl) };
            await Eventually.ReturnsAsync(() => GatewayHttp.ReadyAsync(http), ready => ready, TimeSpan.FromSeconds(60), "gateway ready");
            await using var pda = await TestMqttClient.ConnectAsync(settings.MqttPort, "pda-1");
            await pda.SubscribeAsync(settings.Topics.Receipts("pda-1"));
            await using var camera = await TestMqttClient.ConnectAsync(settings.MqttPort, "cam-1");
            var scene = await File.ReadAllBytesAsync(FireLaneLoopTests.Scene);

            // One report before the disk fills and one after. Three while it is full: two with photos of their own, which
            // cannot be written, and one with the first report's photo (content-addressed, so already on disk): its few
            // rows may still fit, its case cannot.
            var reports = Enumerable.Range(0, 5).Select(i => Guid.NewGuid().ToString())
                .Select((id, i) => (Id: id, Json: i is 0 or 3 ? DistinctReports.Json(id, i) : DistinctReports.JsonWithOwnPhoto(id, i))).ToList();
            var (before, refused, samePhoto, after) = (reports[0], reports[1..4], reports[3], reports[4]);
            Assert.True((await PublishAsync(pda, settings, before.Json)).IsSuccess);
            await WaitForReceiptAsync(pda, settings, before.Id, "accepted");
            await Eventually.ReturnsAsync(() => EdgeDatabase.QueuedCaseIdsAsync(data, "pda"), ids => ids.Contains(before.Id), what: "first report's case queued");

            disk.Fill(leaveBytes: LeftFree);
            output.WriteLine($"disk filled: {disk.FreeBytes} bytes free");

            foreach (var report in refused)
            {
                var ack = await PublishAsync(pda, settings, report.Json);
                Assert.False(ack.IsSuccess, "a report was acknowledged although the disk is full");
                Assert.Equal(MqttClientPublishReasonCode.QuotaExceeded, ack.ReasonCode);
                Assert.StartsWith("storage-full:", ack.ReasonString, StringComparison.Ordinal);
            }
            // Two cars stand in the lane: stopped after 5 s, confirmed 15 s later, with no room for their evidence.
            await PlayAsync(http, camera, settings, scene, _t0, 25);
            Assert.Equal(0, await MetricAsync(http, "onething_edge_ingress_frames", "camera=\"cam-1\"", "outcome=\"failed\""));
            Assert.Equal(2, await MetricAsync(http, "onething_cases_unrecorded"));

            Assert.False(gateway.HasExited, "the gateway stopped on a full disk");
            Assert.Contains($"not stored: no space left on the disk holding {data}", gateway.Output, StringComparison.Ordinal);
            Assert.Contains("confirmed but not recorded: no space left on the disk holding", gateway.Output, StringComparison.Ordinal);
            Assert.DoesNotContain(pda.Received, m => refused.Where(r => r != samePhoto).Any(r => Encoding.UTF8.GetString(m.Payload).Contains(r.Id, StringComparison.Ordinal)));
            Assert.Contains(before.Id, await EdgeDatabase.ReportIdsAsync(data));
            Assert.Subset(new HashSet<string> { before.Id, samePhoto.Id }, (await EdgeDatabase.ReportIdsAsync(data)).ToHashSet());
            Assert.Empty(await EdgeDatabase.QueuedCaseIdsAsync(data, "camera"));
            await AssertIntactAsync(data);

            disk.Free();
            output.WriteLine($"disk freed: {disk.FreeBytes} bytes free");

            foreach (var report in refused.Append(after))
            {
                var ack = await PublishAsync(pda, settings, report.Json);
                Assert.True(ack.IsSuccess, ack.ReasonString);
                // The same-photo report is a duplicate if its rows had fit; its case is made now either way.
                await WaitForReceiptAsync(pda, settings, report.Id, report == samePhoto ? "duplicate" : "accepted", "accepted");
            }
            Assert.True((await PublishAsync(pda, settings, refused[0].Json)).IsSuccess);
            await WaitForReceiptAsync(pda, settings, refused[0].Id, "duplicate");
            var stored = await EdgeDatabase.ReportIdsAsync(data); // the primary key: each at most once
            Assert.Equal(reports.Select(r => r.Id).Order(), stored.Order());
            await Eventually.ReturnsAsync(() => EdgeDatabase.QueuedCaseIdsAsync(data, "pda"), ids => ids.Count == reports.Count, what: "a queued case for every report");
            Assert.Equal(reports.Select(r => r.Id).Order(), (await EdgeDatabase.QueuedCaseIdsAsync(data, "pda")).Order());

            // The cars are still there: with the next frame the two waiting cases are recorded and queued.
            await PlayAsync(http, camera, settings, scene, _t0.AddSeconds(25), 5);
            Assert.Equal(2, (await EdgeDatabase.QueuedCaseIdsAsync(data, "camera")).Count);
            Assert.Equal(0, await MetricAsync(http, "onething_cases_unrecorded"));
            Assert.Equal(0, await MetricAsync(http, "onething_edge_ingress_frames", "camera=\"cam-1\"", "outcome=\"failed\""));
            Assert.False(gateway.HasExited);
            await AssertIntactAsync(data);
        }
        finally
        {
            output.WriteLine(gateway.Output.Length > 8000 ? gateway.Output[^8000..] : gateway.Output);
        }
    }

    private static Task<MqttClientPublishResult> PublishAsync(TestMqttClient pda, GatewaySettings settings, byte[] report) =>
        pda.PublishAsync(settings.Topics.Reports("pda-1"), report, MqttQualityOfServiceLevel.AtLeastOnce);

    private static Task WaitForReceiptAsync(TestMqttClient pda, GatewaySettings settings, string reportId, params string[] statuses) =>
        pda.WaitForJsonAsync(settings.Topics.Receipts("pda-1"), r => r.GetProperty("reportId").GetString() == reportId && statuses.Contains(r.GetProperty("status").GetString()));

    /// <summary>Publishes frames with capture times 1 s apart and waits until the gateway has analysed them all.</summary>
    private static async Task PlayAsync(HttpClient http, TestMqttClient camera, GatewaySettings settings, byte[] frame, DateTimeOffset from, int seconds)
    {
        var done = await FramesDoneAsync(http);
        for (var i = 0; i < seconds; i++)
        {
            await camera.PublishAsync(settings.Topics.Frames("cam-1"), frame, MqttQualityOfServiceLevel.AtMostOnce,
                ("captured-at", from.AddSeconds(i).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture)));
        }
        await Eventually.ReturnsAsync(() => FramesDoneAsync(http), n => n >= done + seconds, TimeSpan.FromSeconds(40), "frames analysed");
    }

    private static async Task<double> FramesDoneAsync(HttpClient http) =>
        await MetricAsync(http, "onething_edge_ingress_frames", "camera=\"cam-1\"", "outcome=\"processed\"")
        + await MetricAsync(http, "onething_edge_ingress_frames", "camera=\"cam-1\"", "outcome=\"failed\"");

    private static Task<double> MetricAsync(HttpClient http, string name, params string[] labels) => GatewayHttp.MetricAsync(http, name, labels);

    /// <summary>SQLite's integrity check passes, and every stored file is whole: its content hashes to its name.</summary>
    private static async Task AssertIntactAsync(string data)
    {
        Assert.Equal(["ok"], await EdgeDatabase.IntegrityCheckAsync(data));
        foreach (var file in Directory.EnumerateFiles(Path.Combine(data, "files"), "*", SearchOption.AllDirectories))
        {
            Assert.Equal(Path.GetFileName(file), Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(file))));
        }
    }
}
