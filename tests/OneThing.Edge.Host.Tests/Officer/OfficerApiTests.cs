using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using OneThing.Edge.Domain.Audit;
using OneThing.Edge.Domain.Evidence;
using OneThing.Edge.Domain.Violations;
using OneThing.Edge.Host.Cases;
using OneThing.Edge.Host.Tests.Security;
using OneThing.Edge.Storage.Audit;
using OneThing.Edge.Storage.Cases;
using OneThing.Edge.TestKit;
using OpenCvSharp;
using Xunit;

namespace OneThing.Edge.Host.Tests.Officer;

/// <summary>
/// The officer app's HTTP API on a real gateway with the real models: PDAs log in with their MQTT device password
/// (HTTP Basic); cameras, observers and wrong passwords are refused; a task's evidence goes only to its PDAs.
/// </summary>
public sealed class OfficerApiTests : IAsyncLifetime
{
    /// <summary>Below the decoder's own limit, so the photo limit is what refuses a wider photo.</summary>
    private const int MaxPhotoSide = 2000;

    private GatewayHarness _gateway = null!;

    public async Task InitializeAsync()
    {
        var settings = new GatewaySettings().WithDevices();
        settings["OneThing:Clearance:OfficerDevices:0"] = "pda-1";
        settings["OneThing:Mqtt:MaxPhotoSide"] = MaxPhotoSide.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _gateway = await GatewayHarness.StartAsync(settings);
    }

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    private HttpClient As(string username, string? password = null)
    {
        var client = new HttpClient { BaseAddress = new Uri(_gateway.Settings.HttpUrl) };
        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{username}:{password ?? DeviceLogins.PasswordOf(username)}"));
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", basic);
        return client;
    }

    private static ByteArrayContent Photo(byte[] bytes, string contentType = "image/jpeg")
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return content;
    }

    private static async Task<string?> CodeOf(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString();

    [Fact]
    public async Task A_pda_gets_the_plate_read_from_a_sample_photo()
    {
        using var pda = As("pda-1");
        var photo = await File.ReadAllBytesAsync(TestPaths.Sample("plates", "ccpd_rpnet_demo_3.jpg"));

        using var response = await pda.PostAsync("/api/v1/officer/plate-reading", Photo(photo));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var reading = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("皖AMK620", reading.GetProperty("plate").GetString());
        Assert.InRange(reading.GetProperty("confidence").GetDouble(), 0.5, 1.0);
        Assert.Equal("blue", reading.GetProperty("color").GetString());
    }

    [Fact]
    public async Task A_phone_photo_stored_sideways_is_read_upright_by_its_exif_orientation()
    {
        using var pda = As("pda-1");
        using var upright = Cv2.ImRead(TestPaths.Sample("plates", "ccpd_rpnet_demo_3.jpg"));
        using var sideways = new Mat();
        Cv2.Rotate(upright, sideways, RotateFlags.Rotate90Counterclockwise);
        Cv2.ImEncode(".jpg", sideways, out var stored, new ImageEncodingParam(ImwriteFlags.JpegQuality, 95));

        // Orientation 6: turn 90 degrees clockwise to show it, as a phone held upright writes it.
        using var tagged = await pda.PostAsync("/api/v1/officer/plate-reading", Photo(PhonePhotos.WithOrientation(stored, 6)));
        using var untagged = await pda.PostAsync("/api/v1/officer/plate-reading", Photo(stored));

        Assert.Equal("皖AMK620", (await tagged.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("plate").GetString());
        Assert.NotEqual("皖AMK620", (await untagged.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("plate").GetString());
    }

    [Fact]
    public async Task Corrupt_bytes_are_photo_not_image_and_an_oversized_photo_is_413()
    {
        using var pda = As("pda-1");
        var photo = await File.ReadAllBytesAsync(TestPaths.Sample("plates", "ccpd_rpnet_demo_3.jpg"));
        using var wide = new Mat(16, MaxPhotoSide + 1, MatType.CV_8UC3, Scalar.All(128));

        using var cut = await pda.PostAsync("/api/v1/officer/plate-reading", Photo(photo[..(photo.Length / 2)]));
        using var text = await pda.PostAsync("/api/v1/officer/plate-reading", Photo("not a photo"u8.ToArray(), "image/png"));
        using var tooWide = await pda.PostAsync("/api/v1/officer/plate-reading", Photo(wide.ImEncode(".png"), "image/png"));
        using var huge = await pda.PostAsync("/api/v1/officer/plate-reading", Photo(new byte[9 * 1024 * 1024]));

        Assert.Equal((HttpStatusCode.BadRequest, "photo-not-image"), (cut.StatusCode, await CodeOf(cut)));
        Assert.Equal((HttpStatusCode.BadRequest, "photo-not-image"), (text.StatusCode, await CodeOf(text)));
        Assert.Equal((HttpStatusCode.RequestEntityTooLarge, "photo-too-large"), (huge.StatusCode, await CodeOf(huge)));
        var wideRefused = await tooWide.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((HttpStatusCode.RequestEntityTooLarge, "photo-too-large"), (tooWide.StatusCode, wideRefused.GetProperty("code").GetString()));
        Assert.Contains("(Mqtt:MaxPhotoSide)", wideRefused.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_password_is_401_without_a_browser_dialog_and_cameras_and_observers_are_403()
    {
        using var wrong = As("pda-1", "wrong");
        using var unknown = As("pda-9", "whatever");
        using var camera = As("cam-1");
        using var observer = As("observer");
        using var anonymous = new HttpClient { BaseAddress = new Uri(_gateway.Settings.HttpUrl) };

        using var badPassword = await wrong.GetAsync("/api/v1/officer/lanes");
        using var badUser = await unknown.GetAsync("/api/v1/officer/lanes");
        using var noLogin = await anonymous.GetAsync("/api/v1/officer/tasks");
        using var fromCamera = await camera.GetAsync("/api/v1/officer/lanes");
        using var fromObserver = await observer.PostAsync("/api/v1/officer/plate-reading", Photo(Reports.PhotoJpeg));

        Assert.Equal((HttpStatusCode.Unauthorized, "bad-login"), (badPassword.StatusCode, await CodeOf(badPassword)));
        Assert.Equal((HttpStatusCode.Unauthorized, "bad-login"), (badUser.StatusCode, await CodeOf(badUser)));
        Assert.Equal((HttpStatusCode.Unauthorized, "login-required"), (noLogin.StatusCode, await CodeOf(noLogin)));
        Assert.All(new[] { badPassword, badUser, noLogin }, r => Assert.Empty(r.Headers.WwwAuthenticate));
        Assert.Equal((HttpStatusCode.Forbidden, "not-a-pda"), (fromCamera.StatusCode, await CodeOf(fromCamera)));
        Assert.Equal((HttpStatusCode.Forbidden, "not-a-pda"), (fromObserver.StatusCode, await CodeOf(fromObserver)));
    }

    [Fact]
    public async Task The_lanes_the_apps_config_and_its_address_are_served_without_the_console_login()
    {
        using var pda = As("pda-1");
        using var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(_gateway.Settings.HttpUrl) };

        var lanes = await pda.GetFromJsonAsync<JsonElement>("/api/v1/officer/lanes");
        var config = await anonymous.GetFromJsonAsync<JsonElement>("/officer/config.json");
        using var app = await anonymous.GetAsync("/officer");

        var lane = Assert.Single(lanes.EnumerateArray());
        Assert.Equal(("lane-a", "cam-1", "lane-a"), (lane.GetProperty("laneId").GetString(), lane.GetProperty("cameraId").GetString(), lane.GetProperty("name").GetString()));
        Assert.Equal(JsonValueKind.Null, config.GetProperty("brokerUrl").ValueKind);
        // The static files' default-file redirect: an endpoint at /officer would also take /officer/ and loop.
        Assert.Equal(HttpStatusCode.MovedPermanently, app.StatusCode);
        Assert.EndsWith("/officer/", app.Headers.Location?.OriginalString, StringComparison.Ordinal);
        Assert.Equal(("test-site", "onething", MaxPhotoSide), (config.GetProperty("siteId").GetString(), config.GetProperty("topicPrefix").GetString(), config.GetProperty("maxPhotoSide").GetInt32()));
    }

    /// <summary>A camera case with one evidence image (a plate photo kept, a scene shared), escalated to pda-1.</summary>
    private async Task<(Guid CaseId, string SharedSha)> EscalatedCaseAsync()
    {
        var original = await File.ReadAllBytesAsync(TestPaths.Sample("plates", "ccpd_rpnet_demo_0.jpg"));
        var shared = await File.ReadAllBytesAsync(TestPaths.Sample("scenes", "compound_4cars_xue1.jpg"));
        var now = DateTimeOffset.UtcNow;
        var item = await _gateway.Get<CaseRecorder>().StoreEvidenceAsync(EvidenceKinds.Overview, original, shared, now.AddMinutes(-3), "image/jpeg", "cam-1", "lane-a", null, CancellationToken.None);
        var violation = new Violation(Guid.NewGuid(), "test-site", "lane-a", ViolationSource.Camera, "cam-1", null, null, "皖A195K9", 0.93, now.AddMinutes(-3), now, [item.ToEvidenceItem()]);
        var cases = _gateway.Get<CaseService>();
        Assert.True(await cases.ConfirmAsync(violation, new EvidenceManifest(violation.Id, [item]), CancellationToken.None));
        await cases.EscalateAsync(violation.Id, "still-parked", now, CancellationToken.None);
        return (violation.Id, item.ToEvidenceItem().SharedSha256);
    }

    [Fact]
    public async Task An_escalated_cases_task_is_listed_for_its_pda_and_not_for_another()
    {
        var (caseId, _) = await EscalatedCaseAsync();
        using var pda1 = As("pda-1");
        using var pda2 = As("pda-2");

        var mine = await pda1.GetFromJsonAsync<JsonElement>("/api/v1/officer/tasks");
        var others = await pda2.GetFromJsonAsync<JsonElement>("/api/v1/officer/tasks");

        var task = Assert.Single(mine.EnumerateArray());
        Assert.Equal($"task-{caseId}", task.GetProperty("taskId").GetString());
        Assert.Equal(caseId, task.GetProperty("violationId").GetGuid());
        Assert.Equal(("lane-a", "皖A195K9", "still-parked"), (task.GetProperty("laneId").GetString(), task.GetProperty("plate").GetString(), task.GetProperty("reason").GetString()));
        Assert.Equal("cam-1", task.GetProperty("location").GetProperty("cameraId").GetString());
        Assert.Single(task.GetProperty("evidence").EnumerateArray());
        Assert.True(task.TryGetProperty("dueBy", out _));
        Assert.Empty(others.EnumerateArray());
    }

    [Fact]
    public async Task A_tasks_evidence_thumbnail_goes_to_its_pda_with_an_audit_entry_and_is_404_for_another()
    {
        var (caseId, sharedSha) = await EscalatedCaseAsync();
        using var pda1 = As("pda-1");
        using var pda2 = As("pda-2");

        using var refused = await pda2.GetAsync($"/api/v1/officer/tasks/task-{caseId}/evidence/0");
        Assert.Equal((HttpStatusCode.NotFound, "not-your-task"), (refused.StatusCode, await CodeOf(refused)));
        var audit = _gateway.Get<AuditLog>();
        Assert.DoesNotContain(await audit.ReadAllAsync(CancellationToken.None), e => e.Kind == AuditKinds.EvidenceViewed);

        using var thumbnail = await pda1.GetAsync($"/api/v1/officer/tasks/task-{caseId}/evidence/0");
        using var beyond = await pda1.GetAsync($"/api/v1/officer/tasks/task-{caseId}/evidence/1");

        Assert.Equal(HttpStatusCode.OK, thumbnail.StatusCode);
        Assert.Equal("image/jpeg", thumbnail.Content.Headers.ContentType?.MediaType);
        using (var image = Cv2.ImDecode(await thumbnail.Content.ReadAsByteArrayAsync(), ImreadModes.Color))
        {
            Assert.Equal(320, Math.Max(image.Width, image.Height));
        }
        Assert.Equal((HttpStatusCode.NotFound, "no-such-evidence"), (beyond.StatusCode, await CodeOf(beyond)));
        var viewed = (await audit.ReadAllAsync(CancellationToken.None)).Single(e => e.Kind == AuditKinds.EvidenceViewed);
        var payload = JsonSerializer.Deserialize<ExtractionPayload>(viewed.PayloadJson, JsonSerializerOptions.Web)!;
        Assert.Equal((caseId, "pda-1", ExtractionPayload.OfficerApp), (payload.CaseId!.Value, payload.By, payload.To));
        Assert.Equal([sharedSha], payload.Files);
    }
}
