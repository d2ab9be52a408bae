using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OneThing.Edge.Domain.Audit;
using OneThing.Edge.Domain.Evidence;
using OneThing.Edge.Domain.Violations;
using OneThing.Edge.Storage.Audit;
using OneThing.Edge.Storage.Cases;
using OneThing.Edge.TestKit;
using Xunit;

namespace OneThing.Edge.Host.Tests.Console;

/// <summary>Evidence leaving the gateway through the console is recorded: who, which case, which file.</summary>
public sealed class ConsoleAuditTests
{
    private static async Task<(Guid CaseId, string Sha)> RecordCaseAsync(GatewayHarness gateway)
    {
        var recorder = gateway.Get<CaseRecorder>();
        var now = DateTimeOffset.UtcNow;
        var jpeg = await File.ReadAllBytesAsync(TestPaths.Sample("plates", "ccpd_rpnet_demo_0.jpg"));
        var item = await recorder.StoreEvidenceAsync(EvidenceKinds.Overview, jpeg, now.AddMinutes(-3), "image/jpeg", "cam-1", "lane-a", null, CancellationToken.None);
        var id = Guid.NewGuid();
        var violation = new Violation(id, "test-site", "lane-a", ViolationSource.Camera, "cam-1", null, null, "皖A195K9", 0.93, now.AddMinutes(-3), now, [item.ToEvidenceItem()]);
        Assert.True(await recorder.RecordAsync(violation, new EvidenceManifest(id, [item]), CancellationToken.None));
        return (id, item.Sha256);
    }

    private static async Task<ExtractionPayload> LastAsync(GatewayHarness gateway, string kind)
    {
        var entry = (await gateway.Get<AuditLog>().ReadAllAsync(CancellationToken.None)).Last(e => e.Kind == kind);
        return JsonSerializer.Deserialize<ExtractionPayload>(entry.PayloadJson, JsonSerializerOptions.Web)!;
    }

    [Fact]
    public async Task Viewing_evidence_and_exporting_a_case_are_recorded_with_the_operator_and_the_export_verifies()
    {
        await using var gateway = await GatewayHarness.StartAsync(ConsoleGateway.Settings());
        var (caseId, sha) = await RecordCaseAsync(gateway);
        using var client = await ConsoleGateway.SignedInAsync(gateway);
        var name = (await client.GetFromJsonAsync<JsonElement>("/api/site")).GetProperty("operator").GetString()!;

        using (var view = await client.GetAsync("/api/evidence/" + sha))
        {
            view.EnsureSuccessStatusCode();
            Assert.Contains("immutable", view.Headers.CacheControl!.ToString(), StringComparison.Ordinal);
        }
        var viewed = await LastAsync(gateway, AuditKinds.EvidenceViewed);
        Assert.Equal((caseId, name, ExtractionPayload.OperatorConsole), (viewed.CaseId!.Value, viewed.By, viewed.To));
        Assert.Equal([sha], viewed.Files);

        using var export = await client.GetAsync($"/api/cases/{caseId}/export");
        export.EnsureSuccessStatusCode();
        Assert.Equal("application/zip", export.Content.Headers.ContentType!.MediaType);
        var report = await CaseBundle.VerifyAsync(await export.Content.ReadAsStreamAsync(), null, CancellationToken.None);
        Assert.True(report.Ok, report.Failure);
        var exported = await LastAsync(gateway, AuditKinds.Export);
        Assert.Equal((caseId, name), (exported.CaseId!.Value, exported.By));
        Assert.Contains(sha, exported.Files);
        Assert.True((await gateway.Get<AuditLog>().VerifyAsync(gateway.Get<OneThing.Edge.Storage.FileStore>(), CancellationToken.None)).Ok);
    }

    [Fact]
    public async Task Exports_are_refused_signed_out_and_for_unknown_cases_and_record_nothing()
    {
        await using var gateway = await GatewayHarness.StartAsync(ConsoleGateway.Settings());
        var (caseId, _) = await RecordCaseAsync(gateway);
        var entries = (await gateway.Get<AuditLog>().ReadAllAsync(CancellationToken.None)).Count;

        using (var anonymous = ConsoleGateway.Client(gateway))
        using (var refused = await anonymous.GetAsync($"/api/cases/{caseId}/export"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }
        using var client = await ConsoleGateway.SignedInAsync(gateway);
        using (var unknown = await client.GetAsync($"/api/cases/{Guid.NewGuid()}/export"))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }

        Assert.Equal(entries, (await gateway.Get<AuditLog>().ReadAllAsync(CancellationToken.None)).Count);
    }
}
