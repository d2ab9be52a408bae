using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using OneThing.Edge.Domain.Audit;
using OneThing.Edge.Domain.Violations;
using OneThing.Edge.EndToEnd.Tests.Faults;
using OneThing.Edge.Host.Pipeline;
using OneThing.Edge.Storage;
using OneThing.Edge.Storage.Audit;
using OneThing.Edge.Storage.Violations;
using OneThing.Edge.TestKit;
using OneThing.Edge.Vision;
using OpenCvSharp;
using Xunit;

namespace OneThing.Edge.EndToEnd.Tests;

/// <summary>
/// What leaves the site, run as a site runs it (camera over MQTT, the real models, real HTTP to the simulator): the
/// traffic system gets evidence with other cars' plates and people pixelated; the gateway keeps the originals.
/// </summary>
public sealed class EvidenceRedactionTests : IAsyncLifetime
{
    private const string CitedPlate = "沪BRF210";

    /// <summary>Four cars nose-out in front of a compound; the lane covers only the second from the left (沪BRF210).</summary>
    private static readonly string Scene = TestPaths.Sample("scenes", "compound_4cars_xue1.jpg");

    private readonly string _received = TestPaths.NewTempDirectory("sim-evidence");
    private SimulatorUnderTest? _simulator;

    private HttpClient Traffic => _simulator!.Http;

    public async Task InitializeAsync() => _simulator = await SimulatorUnderTest.StartAsync("--Simulator:EvidenceDirectory", _received);

    public async Task DisposeAsync() => await _simulator!.DisposeAsync();

    [Fact]
    public async Task The_traffic_system_gets_evidence_with_other_plates_pixelated_and_the_gateway_keeps_the_originals()
    {
        var settings = new GatewaySettings
        {
            ["OneThing:TrafficSystem:BaseUrl"] = _simulator!.Url,
            ["OneThing:TrafficSystem:Token"] = SimulatorUnderTest.Token,
            ["OneThing:SiteName"] = "阳光花园",
            ["OneThing:Cameras:0:Lanes:0:Name"] = "东门消防通道",
            ["OneThing:Cameras:0:Lanes:0:StopSeconds"] = "5",
            ["OneThing:Cameras:0:Lanes:0:ConfirmSeconds"] = "15",
        };
        float[][] lane = [[0.30f, 0.55f], [0.55f, 0.55f], [0.55f, 1f], [0.30f, 1f]];
        for (var i = 0; i < lane.Length; i++)
        {
            settings[$"OneThing:Cameras:0:Lanes:0:Polygon:{i}:0"] = lane[i][0].ToString(CultureInfo.InvariantCulture);
            settings[$"OneThing:Cameras:0:Lanes:0:Polygon:{i}:1"] = lane[i][1].ToString(CultureInfo.InvariantCulture);
        }
        await using var gateway = await GatewayHarness.StartAsync(settings);
        await using var camera = await TestMqttClient.ConnectAsync(gateway.Settings.MqttPort, "cam-1");
        var scene = await File.ReadAllBytesAsync(Scene);

        await CameraPlayer.PlayAsync(gateway, camera, "cam-1", scene, DateTimeOffset.UtcNow.AddSeconds(-25), 25); // confirmed 20 s in
        var notice = await Eventually.ReturnsAsync(NoticesAsync, n => n.Length >= 1, TimeSpan.FromSeconds(60), "the SMS notice");
        var id = Assert.Single(notice).GetProperty("violationId").GetGuid();
        var stored = (await gateway.Get<ViolationStore>().GetAsync(id, default))!;
        Assert.Equal(CitedPlate, stored.Violation.Plate);
        var evidence = stored.Violation.Evidence;
        Assert.Equal(["confirmation", "overview", "plate"], evidence.Select(e => e.Kind).Order(StringComparer.Ordinal));
        var traffic = await Eventually.ReturnsAsync(() => Traffic.GetFromJsonAsync<JsonElement>($"/api/v1/violations/{id}"),
            c => c.GetProperty("uploadedEvidence").GetArrayLength() == evidence.Count, TimeSpan.FromSeconds(30), "every evidence file uploaded");

        // The traffic system was told of, and got, the redacted copies only; the gateway holds both.
        var redacted = evidence.Select(e => e.RedactedSha256!).ToArray();
        // Both frames show other cars' plates; the close-up has nothing to hide, so its copy is the original's bytes.
        Assert.All(evidence.Where(e => e.Kind != "plate"), e => Assert.NotEqual(e.Sha256, e.RedactedSha256));
        Assert.Equal(redacted.Order(), traffic.GetProperty("declaredEvidence").EnumerateArray().Select(s => s.GetString()!).Order());
        Assert.Equal(redacted.Order(), traffic.GetProperty("uploadedEvidence").EnumerateArray().Select(s => s.GetString()!).Order());
        var files = gateway.Get<FileStore>();
        foreach (var item in evidence)
        {
            var received = await Traffic.GetByteArrayAsync($"/api/v1/violations/{id}/evidence/{item.RedactedSha256}");
            Assert.Equal(item.RedactedSha256, Convert.ToHexStringLower(SHA256.HashData(received)));
            Assert.Equal(received, await files.ReadAsync(item.RedactedSha256!, default));
            Assert.True(files.Exists(item.Sha256), "the original stays on the gateway");
            if (item.Sha256 != item.RedactedSha256)
            {
                Assert.Equal(404, (int)(await Traffic.GetAsync($"/api/v1/violations/{id}/evidence/{item.Sha256}")).StatusCode);
            }
        }

        // In the overview the traffic system got, the other cars' plates no longer read; the cited car's still does.
        var vision = gateway.Get<VehicleVision>();
        using var taken = Cv2.ImDecode(scene, ImreadModes.Color);
        var plates = gateway.Get<PlateDetector>().Detect(taken);
        var overview = evidence.Single(e => e.Kind == "overview");
        using var original = Cv2.ImDecode(await files.ReadAsync(overview.Sha256, default), ImreadModes.Color);
        using var sent = Cv2.ImDecode(await files.ReadAsync(overview.RedactedSha256!, default), ImreadModes.Color);
        Assert.True(original.Height > taken.Height, "the overview carries its caption below the picture");
        var others = 0;
        foreach (var plate in plates)
        {
            var before = vision.Read(original, plate).Text;
            var after = vision.Read(sent, plate).Text;
            if (before == CitedPlate)
            {
                Assert.Equal(CitedPlate, after);
            }
            else
            {
                others++;
                Assert.NotEqual(before, after);
            }
        }
        Assert.True(others >= 2, $"other cars' plates in the scene: {others}");

        // A frame the analysis searched whole for plates is redacted with those plates: the same copy as searching again.
        var renderer = gateway.Get<EvidenceRenderer>();
        var citedBox = plates.Single(p => vision.Read(taken, p).Text == CitedPlate).Box;
        var asTaken = new EvidenceFrame(scene, DateTimeOffset.UtcNow, EvidenceKinds.Overview, null, null, citedBox, null);
        var caption = new EvidenceCaption(asTaken.CapturedAt, "阳光花园 东门消防通道", "cam-1", CitedPlate);
        var searchedAgain = renderer.Render(asTaken, caption);
        var withPlates = renderer.Render(asTaken with { Plates = plates }, caption);
        Assert.NotEqual(searchedAgain.Original, searchedAgain.Redacted);
        Assert.Equal(searchedAgain.Redacted, withPlates.Redacted);

        // Evidence keeps the camera's own bytes, rendered as the analysis saw them: a frame tagged as turned is not turned
        // (its lanes and boxes are in the pixels as sent; OpenCV would apply the tag).
        var tagged = renderer.Render(asTaken with { Image = PhonePhotos.WithOrientation(scene, 6), Plates = plates }, caption);
        Assert.Equal(withPlates.Original, tagged.Original);

        // Both hashes are in the manifest and in the audit chain, which still verifies.
        var audit = gateway.Get<AuditLog>();
        var entries = await audit.ReadAllAsync(default);
        var confirmed = entries.Single(e => e.Kind == AuditKinds.ViolationConfirmed);
        var manifestSha = JsonDocument.Parse(confirmed.PayloadJson).RootElement.GetProperty("manifestSha256").GetString()!;
        var manifest = JsonDocument.Parse(await files.ReadAsync(manifestSha, default)).RootElement.GetProperty("items").EnumerateArray()
            .Select(i => (i.GetProperty("sha256").GetString(), i.GetProperty("redactedSha256").GetString())).ToHashSet();
        var stored2 = entries.Where(e => e.Kind == AuditKinds.EvidenceStored).Select(e => JsonDocument.Parse(e.PayloadJson).RootElement)
            .Select(p => (p.GetProperty("sha256").GetString(), p.GetProperty("redactedSha256").GetString())).ToHashSet();
        var pairs = evidence.Select(e => ((string?)e.Sha256, (string?)e.RedactedSha256)).ToHashSet();
        Assert.True(pairs.SetEquals(manifest), "manifest names original and redacted copy of each file");
        Assert.True(pairs.SetEquals(stored2), "audit entries name original and redacted copy of each file");
        var verified = await audit.VerifyAsync(files, default);
        Assert.True(verified.Ok, verified.ToString());

        // Deleting a redacted copy is found by the audit check like a deleted original.
        File.Delete(files.PathOf(overview.RedactedSha256!));
        var broken = await audit.VerifyAsync(files, default);
        Assert.False(broken.Ok);
        Assert.Contains(overview.RedactedSha256!, broken.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_officers_photo_reaches_the_traffic_system_with_the_other_cars_plates_pixelated()
    {
        var settings = new GatewaySettings
        {
            ["OneThing:TrafficSystem:BaseUrl"] = _simulator!.Url,
            ["OneThing:TrafficSystem:Token"] = SimulatorUnderTest.Token,
        };
        await using var gateway = await GatewayHarness.StartAsync(settings);
        await using var pda = await TestMqttClient.ConnectAsync(settings.MqttPort, "pda-1");
        var reportId = Guid.NewGuid();
        const string reported = "沪B10H93"; // the smallest of the three plates in the photo
        await pda.PublishAsync(settings.Topics.Reports("pda-1"), Reports.Json(reportId.ToString(), reported, photo: await File.ReadAllBytesAsync(Scene)));

        var traffic = await Eventually.ReturnsAsync(async () =>
            {
                using var response = await Traffic.GetAsync($"/api/v1/violations/{reportId}"); // 404 until the case is forwarded
                return response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<JsonElement>() : (JsonElement?)null;
            },
            c => c?.GetProperty("uploadedEvidence").GetArrayLength() == 1, TimeSpan.FromSeconds(60), "the officer's photo uploaded");
        var photo = Assert.Single((await gateway.Get<ViolationStore>().GetAsync(reportId, default))!.Violation.Evidence);
        Assert.NotEqual(photo.Sha256, photo.RedactedSha256);
        Assert.Equal(photo.RedactedSha256, traffic!.Value.GetProperty("uploadedEvidence")[0].GetString());
        Assert.Equal(404, (int)(await Traffic.GetAsync($"/api/v1/violations/{reportId}/evidence/{photo.Sha256}")).StatusCode);

        var received = await Traffic.GetByteArrayAsync($"/api/v1/violations/{reportId}/evidence/{photo.RedactedSha256}");
        using var sent = Cv2.ImDecode(received, ImreadModes.Color);
        var read = gateway.Get<VehicleVision>().ReadPlates(sent).Select(p => p.Text).ToList();
        Assert.Contains(reported, read);
        Assert.DoesNotContain("沪G98990", read);
        Assert.DoesNotContain(CitedPlate, read);
        Assert.True(gateway.Get<FileStore>().Exists(photo.Sha256), "the photo as taken stays on the gateway");
    }

    private async Task<JsonElement[]> NoticesAsync() => (await Traffic.GetFromJsonAsync<JsonElement[]>("/api/v1/notices"))!;
}
