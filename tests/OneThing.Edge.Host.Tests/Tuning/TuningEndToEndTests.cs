using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.Options;
using OneThing.Edge.Domain.Audit;
using OneThing.Edge.Domain.Configuration;
using OneThing.Edge.Host.Footage;
using OneThing.Edge.Host.Tests.Console;
using OneThing.Edge.Host.WhatIf;
using OneThing.Edge.Storage.Audit;
using OneThing.Edge.Storage.Cases;
using OneThing.Edge.TestKit;
using Xunit;

namespace OneThing.Edge.Host.Tests.Tuning;

/// <summary>The operator's tuning loop over HTTP: a camera is recorded, its cases labelled, a what-if run and applied.</summary>
public sealed class TuningEndToEndTests
{
    [Fact]
    public async Task A_false_alarm_is_dropped_by_a_longer_confirmation_precision_rises_and_the_operator_applies_it()
    {
        await using var gateway = await GatewayHarness.StartAsync(TuningGateway.Settings());
        // Whole seconds: capture times travel with milliseconds.
        var t0 = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds());
        await TuningGateway.PlayAsync(gateway, t0, 40);
        var cases = await Eventually.ReturnsAsync(() => gateway.Get<CaseRecorder>().CasesAsync(openOnly: false, default), c => c.Count >= 2, TimeSpan.FromSeconds(30), "two cases");
        // One frame every 2 s of the 40 s was kept.
        await Eventually.ReturnsAsync(() => Task.FromResult(gateway.Get<FootageRecorder>().Written), n => n >= 20, TimeSpan.FromSeconds(30), "footage written");
        Assert.Equal(20, gateway.Get<FootageStore>().Frames("cam-1", t0, t0.AddMinutes(1)).Count);

        using var client = await ConsoleGateway.SignedInAsync(gateway);
        foreach (var c in cases)
        {
            using var labelled = await client.PutAsJsonAsync($"/api/v1/cases/{c.Id}/label", new LabelRequest("false-alarm", "short-stop"));
            Assert.Equal(HttpStatusCode.NoContent, labelled.StatusCode);
        }
        using (var noReason = await client.PutAsJsonAsync($"/api/v1/cases/{cases[0].Id}/label", new LabelRequest("false-alarm", null)))
        {
            Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        }
        using (var missed = await client.PostAsJsonAsync("/api/v1/missed-violations", new MissedViolationRequest("cam-1", "lane-a", t0.AddHours(-2), t0.AddHours(-1), "white van")))
        {
            Assert.Equal(HttpStatusCode.Created, missed.StatusCode);
        }

        using var response = await client.PostAsJsonAsync("/api/v1/lanes/lane-a/what-if", new WhatIfRequest(null, 60, null, null, t0.AddMinutes(-1), null));
        var job = await TuningGateway.FinishedAsync(client, (await response.Content.ReadFromJsonAsync<WhatIfStarted>())!.JobId);

        Assert.Equal(WhatIfStates.Done, job.State);
        var result = job.Result!;
        Assert.Equal(2, result.LiveScore.Cases);
        Assert.Equal(0, result.CandidateScore.Cases);
        Assert.All(result.Cases, c => Assert.Equal((WhatIfComparison.Dropped, "false-alarm: short-stop"), (c.Change, c.Label)));
        Assert.Equal(0.0, result.LiveScore.Precision);
        Assert.Equal(1.0, result.CandidateScore.Precision);

        using var apply = await client.PostAsync($"/api/v1/what-if/{job.Id}/apply", null);
        Assert.Equal(HttpStatusCode.OK, apply.StatusCode);
        var lane = gateway.Get<IOptionsMonitor<SiteOptions>>().CurrentValue.Cameras[0].Lanes.Single(l => l.Id == "lane-a");
        Assert.Equal((5, 60), (lane.StopSeconds, lane.ConfirmSeconds));

        var kinds = (await gateway.Get<AuditLog>().ReadAllAsync(default)).Select(e => e.Kind).ToList();
        Assert.Equal(2, kinds.Count(k => k == AuditKinds.CaseLabelled));
        Assert.Single(kinds, AuditKinds.MissedViolationAdded);
        Assert.Equal(AuditKinds.LaneTuned, kinds[^1]);

        // The window as a scenario for replay elsewhere: the frames and the labels as expected cases.
        using var export = await client.GetAsync($"/api/v1/cameras/cam-1/footage/scenario?from={Uri.EscapeDataString(t0.AddMinutes(-1).ToString("O"))}");
        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        var zipPath = Path.Combine(TestPaths.NewTempDirectory("export"), "cam-1.zip");
        await File.WriteAllBytesAsync(zipPath, await export.Content.ReadAsByteArrayAsync());
        var unpacked = TestPaths.NewTempDirectory("unpacked");
        System.IO.Compression.ZipFile.ExtractToDirectory(zipPath, unpacked);
        var scenario = Replay.Scenario.Load(Path.Combine(unpacked, "scenario.json"));
        Assert.Equal(20, scenario.FrameCount(unpacked));
        Assert.Equal(t0, scenario.Frames(unpacked).First().CapturedAt, TimeSpan.FromMilliseconds(1));
        Assert.Equal(2, scenario.Expected.Count(e => !e.Confirmed));

        Assert.Contains("footage_bytes", await client.GetStringAsync("/metrics"), StringComparison.Ordinal);
    }
}
