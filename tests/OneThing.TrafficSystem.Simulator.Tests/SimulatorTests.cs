using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Xunit;

namespace OneThing.TrafficSystem.Simulator.Tests;

public sealed class SimulatorTests
{
    private sealed record Receipt(string CaseId, NoticeView Notice);

    [Fact]
    public async Task A_case_texts_the_registered_owner_with_a_masked_phone()
    {
        await using var sim = await RunningSimulator.StartAsync();
        var id = Guid.NewGuid();

        using var response = await sim.PostCaseAsync(id, RunningSimulator.Intake(id, plate: "皖A53J96"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var receipt = await response.Content.ReadFromJsonAsync<Receipt>();
        Assert.Equal("sent", receipt!.Notice.Status);
        var notice = Assert.Single((await sim.Client.GetFromJsonAsync<List<Notice>>("/api/v1/notices"))!);
        Assert.Equal((id, receipt.CaseId, "皖A53J96", "sent"), (notice.ViolationId, notice.CaseId, notice.Plate, notice.Status));
        var owner = OwnerRegistry.Load(Path.Combine(AppContext.BaseDirectory, "owners.csv")).Find("皖A53J96")!;
        Assert.Equal(PhoneMask.Mask(owner.Phone), notice.Phone);
        Assert.Matches(@"^1\d\d\*{4}\d{4}$", notice.Phone);
        Assert.Contains(owner.Name, notice.Text, StringComparison.Ordinal);
        var line = Assert.Single(await File.ReadAllLinesAsync(sim.NoticeFile));
        Assert.Contains(notice.Phone!, line, StringComparison.Ordinal);
        Assert.DoesNotContain(owner.Phone, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_sample_plate_has_an_owner()
    {
        var registry = OwnerRegistry.Load(Path.Combine(AppContext.BaseDirectory, "owners.csv"));
        var crops = Directory.GetFiles(Path.Combine(OneThing.Edge.TestKit.TestPaths.Samples, "plate_crops"), "*.jpg");

        Assert.NotEmpty(crops);
        Assert.All(crops, crop => Assert.NotNull(registry.Find(Path.GetFileNameWithoutExtension(crop))));
        Assert.NotNull(registry.Find("沪AF71017"));
    }

    [Fact]
    public async Task A_repeat_returns_the_same_case_and_sends_no_second_sms()
    {
        await using var sim = await RunningSimulator.StartAsync();
        var id = Guid.NewGuid();

        using var first = await sim.PostCaseAsync(id, RunningSimulator.Intake(id));
        var repeats = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => sim.PostCaseAsync(id, RunningSimulator.Intake(id))));

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var caseId = (await first.Content.ReadFromJsonAsync<Receipt>())!.CaseId;
        foreach (var repeat in repeats)
        {
            Assert.Equal(HttpStatusCode.OK, repeat.StatusCode);
            Assert.Equal(caseId, (await repeat.Content.ReadFromJsonAsync<Receipt>())!.CaseId);
            repeat.Dispose();
        }
        Assert.Single((await sim.Client.GetFromJsonAsync<List<Notice>>("/api/v1/notices"))!);
    }

    [Fact]
    public async Task An_unknown_plate_gets_a_no_owner_notice()
    {
        await using var sim = await RunningSimulator.StartAsync();
        var id = Guid.NewGuid();

        using var response = await sim.PostCaseAsync(id, RunningSimulator.Intake(id, plate: "京Z00000"));

        Assert.Equal("no-owner", (await response.Content.ReadFromJsonAsync<Receipt>())!.Notice.Status);
        var notice = Assert.Single((await sim.Client.GetFromJsonAsync<List<Notice>>("/api/v1/notices"))!);
        Assert.Equal("no-owner", notice.Status);
        Assert.Null(notice.Phone);
    }

    [Theory]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    [InlineData("wrong", HttpStatusCode.Forbidden)]
    public async Task Calls_without_the_right_token_are_refused(string? token, HttpStatusCode expected)
    {
        await using var sim = await RunningSimulator.StartAsync();
        using var client = new HttpClient { BaseAddress = sim.BaseAddress };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await client.GetAsync("/api/v1/notices");

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
    }

    [Fact]
    public async Task An_invalid_case_is_rejected_with_a_problem_naming_the_field()
    {
        await using var sim = await RunningSimulator.StartAsync();
        var id = Guid.NewGuid();

        using var badPlate = await sim.PostCaseAsync(id, RunningSimulator.Intake(id, plate: "not a plate!"));
        using var wrongKey = await sim.PostCaseAsync(id, RunningSimulator.Intake(id), idempotencyKey: Guid.NewGuid().ToString());

        Assert.Equal(HttpStatusCode.BadRequest, badPlate.StatusCode);
        Assert.Equal("application/problem+json", badPlate.Content.Headers.ContentType?.MediaType);
        Assert.Equal(["plate"], await ErrorFieldsAsync(badPlate));
        Assert.Equal(["Idempotency-Key"], await ErrorFieldsAsync(wrongKey));
        Assert.Empty((await sim.Client.GetFromJsonAsync<List<Notice>>("/api/v1/notices"))!);
    }

    [Fact]
    public async Task Evidence_is_accepted_only_when_the_body_matches_its_sha256()
    {
        await using var sim = await RunningSimulator.StartAsync();
        var id = Guid.NewGuid();
        byte[] photo = [1, 2, 3, 4];
        var sha = Convert.ToHexStringLower(SHA256.HashData(photo));
        (await sim.PostCaseAsync(id, RunningSimulator.Intake(id, evidence: new { kind = "overview", sha256 = sha, capturedAt = "2026-11-23T08:02:00Z", contentType = "image/jpeg" }))).Dispose();

        using var good = await sim.Client.PutAsync($"/api/v1/violations/{id}/evidence/{sha}", new ByteArrayContent(photo));
        using var again = await sim.Client.PutAsync($"/api/v1/violations/{id}/evidence/{sha}", new ByteArrayContent(photo));
        using var tampered = await sim.Client.PutAsync($"/api/v1/violations/{id}/evidence/{sha}", new ByteArrayContent([9, 9]));
        using var noCase = await sim.Client.PutAsync($"/api/v1/violations/{Guid.NewGuid()}/evidence/{sha}", new ByteArrayContent(photo));

        Assert.Equal(HttpStatusCode.NoContent, good.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, again.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, tampered.StatusCode);
        Assert.Equal(["sha256"], await ErrorFieldsAsync(tampered));
        Assert.Equal(HttpStatusCode.NotFound, noCase.StatusCode);
        var view = await sim.Client.GetFromJsonAsync<CaseView>($"/api/v1/violations/{id}");
        Assert.Equal([sha], view!.UploadedEvidence);
    }

    [Fact]
    public async Task A_clearance_is_recorded_once_and_validated()
    {
        await using var sim = await RunningSimulator.StartAsync();
        var id = Guid.NewGuid();
        (await sim.PostCaseAsync(id, RunningSimulator.Intake(id))).Dispose();

        using var cleared = await ClearAsync(sim, id, "left-after-notice");
        using var repeat = await ClearAsync(sim, id, "left-after-notice");
        using var invalid = await ClearAsync(sim, id, "vanished");

        Assert.Equal(HttpStatusCode.NoContent, cleared.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, repeat.StatusCode);
        Assert.Equal(["outcome"], await ErrorFieldsAsync(invalid));
        var view = await sim.Client.GetFromJsonAsync<CaseView>($"/api/v1/violations/{id}");
        Assert.Equal(["case", "clearance:left-after-notice"], view!.Events);
    }

    [Fact]
    public async Task A_clearance_needs_its_idempotency_key_and_a_repeat_is_answered_as_a_repeat()
    {
        await using var sim = await RunningSimulator.StartAsync();
        var id = Guid.NewGuid();
        (await sim.PostCaseAsync(id, RunningSimulator.Intake(id))).Dispose();

        using var noKey = await ClearAsync(sim, id, "ticketed", key: null);
        using var wrongKey = await ClearAsync(sim, id, "ticketed", key: $"{Guid.NewGuid():D}:clearance");
        Assert.Equal(["Idempotency-Key"], await ErrorFieldsAsync(noKey));
        Assert.Equal(["Idempotency-Key"], await ErrorFieldsAsync(wrongKey));

        using var first = await ClearAsync(sim, id, "ticketed");
        using var retry = await ClearAsync(sim, id, "ticketed");
        using var different = await ClearAsync(sim, id, "left-after-notice");

        Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);
        Assert.False(first.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(HttpStatusCode.NoContent, retry.StatusCode);
        Assert.Equal(["true"], retry.Headers.GetValues("Idempotent-Replayed"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, different.StatusCode);
        var view = await sim.Client.GetFromJsonAsync<CaseView>($"/api/v1/violations/{id}");
        Assert.Equal(["case", "clearance:ticketed"], view!.Events);
    }

    private static async Task<HttpResponseMessage> ClearAsync(RunningSimulator sim, Guid id, string outcome, string? key = "")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/violations/{id}/clearance")
        {
            Content = JsonContent.Create(new { clearedAt = "2026-11-23T08:10:00Z", outcome }),
        };
        if (key is not null)
        {
            request.Headers.Add("Idempotency-Key", key.Length == 0 ? $"{id:D}:clearance" : key);
        }
        return await sim.Client.SendAsync(request);
    }

    [Fact]
    public async Task Injected_failures_hit_the_next_calls_only()
    {
        await using var sim = await RunningSimulator.StartAsync();
        (await sim.Client.PostAsJsonAsync("/admin/faults", new { failNext = 2, status = 503 })).Dispose();

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await sim.Client.GetAsync("/api/v1/notices");
            statuses.Add(response.StatusCode);
        }

        Assert.Equal([HttpStatusCode.ServiceUnavailable, HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK], statuses);
    }

    [Fact]
    public async Task Injected_latency_delays_the_next_calls_and_refusal_drops_them()
    {
        await using var sim = await RunningSimulator.StartAsync();
        (await sim.Client.PostAsJsonAsync("/admin/faults", new { latencyMs = 300, slowNext = 1 })).Dispose();

        var watch = System.Diagnostics.Stopwatch.StartNew();
        (await sim.Client.GetAsync("/api/v1/notices")).Dispose();
        var slow = watch.Elapsed;
        // A lower bound only: a loaded machine makes the call slower, never faster than the injected 300 ms.
        Assert.True(slow >= TimeSpan.FromMilliseconds(290), $"slow call took {slow}");
        // "Later calls are fast again" checked on the simulator's state, not by timing the next call: the counted
        // batch of one is used up and the latency is off.
        var after = await sim.Client.GetFromJsonAsync<System.Text.Json.JsonElement>("/admin/faults");
        Assert.Equal(0, after.GetProperty("latencyMs").GetInt32());
        Assert.Equal(0, after.GetProperty("slowNext").GetInt32());
        using (var next = await sim.Client.GetAsync("/api/v1/notices"))
        {
            Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        }

        (await sim.Client.PostAsJsonAsync("/admin/faults", new { refuse = true })).Dispose();
        await Assert.ThrowsAsync<HttpRequestException>(() => sim.Client.GetAsync("/api/v1/notices"));
        (await sim.Client.DeleteAsync("/admin/faults")).Dispose();
        Assert.Equal(HttpStatusCode.OK, (await sim.Client.GetAsync("/api/v1/notices")).StatusCode);
    }

    private static async Task<string[]> ErrorFieldsAsync(HttpResponseMessage response)
    {
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return [.. problem.RootElement.GetProperty("errors").EnumerateObject().Select(p => p.Name)];
    }
}
