using System.Net.Http.Json;
using System.Text.Json;
using OneThing.Edge.Domain.Evidence;
using OneThing.Edge.Domain.Violations;
using OneThing.Edge.Storage.Cases;
using OneThing.Edge.TestKit;
using Xunit;

namespace OneThing.Edge.Host.Tests.Console;

public sealed class ConsoleCaseTests
{
    /// <summary>The value of an unlabelled gauge; fails when the metric is absent.</summary>
    private static double Gauge(string metrics, string name)
    {
        var line = metrics.Split('\n').SingleOrDefault(l => l.StartsWith(name + " ", StringComparison.Ordinal));
        Assert.True(line is not null, $"no {name} line in /metrics:\n" + metrics);
        return double.Parse(line[(name.Length + 1)..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task A_recorded_case_shows_with_its_evidence_audit_status_risk_and_metrics()
    {
        var settings = ConsoleGateway.Settings();
        settings["OneThing:Audit:AnchorEveryEntries"] = "1"; // an anchor waits in the outbox beside the case's messages
        await using var gateway = await GatewayHarness.StartAsync(settings);
        var recorder = gateway.Get<CaseRecorder>();
        var now = DateTimeOffset.UtcNow;
        var jpeg = await File.ReadAllBytesAsync(TestPaths.Sample("scenes", "compound_4cars_xue1.jpg"));
        var item = await recorder.StoreEvidenceAsync(EvidenceKinds.Overview, jpeg, now.AddMinutes(-3), "image/jpeg", "cam-1", "lane-a", null, CancellationToken.None);
        var id = Guid.NewGuid();
        var violation = new Violation(id, "test-site", "lane-a", ViolationSource.Camera, "cam-1", null, null, "皖A195K9", 0.93, now.AddMinutes(-3), now,
            [new EvidenceItem(item.Kind, item.Sha256, item.CapturedAt, item.ContentType)]);
        Assert.True(await recorder.RecordAsync(violation, new EvidenceManifest(id, [item]), CancellationToken.None));

        using var client = await ConsoleGateway.SignedInAsync(gateway);
        var cases = await client.GetFromJsonAsync<JsonElement>("/api/cases");
        var shown = Assert.Single(cases.EnumerateArray());
        Assert.Equal(id.ToString(), shown.GetProperty("id").GetString());
        Assert.Equal("皖A195K9", shown.GetProperty("plate").GetString());
        Assert.Equal("lane-a", shown.GetProperty("laneId").GetString());
        var sha = Assert.Single(shown.GetProperty("evidence").EnumerateArray()).GetProperty("sha256").GetString();
        Assert.Equal(jpeg, await client.GetByteArrayAsync("/api/evidence/" + sha));
        using (var traversal = await client.GetAsync("/api/evidence/..%2F..%2Fedge.db"))
        {
            Assert.Equal(System.Net.HttpStatusCode.NotFound, traversal.StatusCode);
        }

        var audit = await client.GetFromJsonAsync<JsonElement>("/api/audit");
        Assert.True(audit.GetProperty("ok").GetBoolean());
        Assert.True(audit.GetProperty("entries").GetInt64() > 0);

        // One case in the window with YellowCases = 1 (the default) makes the lane yellow at the next run.
        await Eventually.ReturnsAsync(
            () => client.GetFromJsonAsync<JsonElement>("/api/risk"),
            r => r.GetProperty("lanes").EnumerateArray().Any(l => l.GetProperty("laneId").GetString() == "lane-a" && l.GetProperty("level").GetString() == "yellow"),
            TimeSpan.FromSeconds(15), "lane-a rated yellow");

        var metrics = await Eventually.ReturnsAsync(() => client.GetStringAsync("/metrics"), m => Gauge(m, "onething_outbox_pending_anchors") >= 1, TimeSpan.FromSeconds(30), "an audit anchor queued");
        Assert.Contains("onething_cases{state=\"confirmed\"} 1", metrics, StringComparison.Ordinal);
        // The case queued two messages (the violation and its one evidence item) for a traffic system that does not
        // answer here, so both wait: the gauge must be present and say 2 (a missing metric or a 0 fails), the anchor apart.
        Assert.Equal(2, Gauge(metrics, "onething_outbox_pending"));
    }
}
