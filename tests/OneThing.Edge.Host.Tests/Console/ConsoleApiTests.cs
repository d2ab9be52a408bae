using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OneThing.Edge.Host.OperatorConsole;
using OneThing.Edge.TestKit;
using Xunit;

namespace OneThing.Edge.Host.Tests.Console;

public sealed class ConsoleApiTests
{
    [Fact]
    public async Task Every_console_endpoint_needs_a_signed_in_operator_except_health()
    {
        await using var gateway = await GatewayHarness.StartAsync(ConsoleGateway.Settings());
        using var anonymous = ConsoleGateway.Client(gateway);

        foreach (var path in new[] { "/api/site", "/api/cases", "/api/counters", "/api/risk", "/api/audit", "/api/cameras/cam-1/frame", "/api/evidence/" + new string('a', 64) })
        {
            using var response = await anonymous.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{path}: {response.StatusCode}");
        }
        using (var put = await anonymous.PutAsJsonAsync("/api/cameras/cam-1/lanes/lane-a", new { polygon = new[] { new[] { 0f, 0f } } }))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, put.StatusCode);
        }
        using (var wrong = await anonymous.PostAsJsonAsync("/api/login", new { token = "not-the-token" }))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }
        Assert.Equal("ok", await anonymous.GetStringAsync("/healthz"));

        using var client = await ConsoleGateway.SignedInAsync(gateway);
        var site = await client.GetFromJsonAsync<JsonElement>("/api/site");
        Assert.Equal("operator", site.GetProperty("operator").GetString());
        Assert.Equal(["cam-1", "cam-2"], site.GetProperty("cameras").EnumerateArray().Select(c => c.GetProperty("id").GetString()));

        // Scripts use the token as a bearer instead of the cookie.
        using var bearer = ConsoleGateway.Client(gateway);
        bearer.DefaultRequestHeaders.Authorization = new("Bearer", ConsoleGateway.Token);
        using var frame = await bearer.GetAsync("/api/cameras/cam-1/frame");
        Assert.Equal(HttpStatusCode.OK, frame.StatusCode);
        Assert.Equal("image/jpeg", frame.Content.Headers.ContentType?.MediaType);

        await client.PostAsync("/api/logout", null);
        using var after = await client.GetAsync("/api/site");
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    [Fact]
    public async Task A_lane_edit_is_validated_persisted_and_used_by_the_running_engine()
    {
        await using var gateway = await GatewayHarness.StartAsync(ConsoleGateway.Settings());
        using var client = await ConsoleGateway.SignedInAsync(gateway);
        var watch = await ConsoleGateway.SendFrameAsync(gateway);

        using (var bad = await client.PutAsJsonAsync("/api/cameras/cam-1/lanes/lane-a", new { polygon = new[] { new[] { 0.1f, 0.1f }, new[] { 0.9f, 0.1f } }, stopSeconds = 30, confirmSeconds = 120 }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            var errors = (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateArray().Select(e => e.GetString()!).ToList();
            Assert.Contains(errors, e => e.Contains("OneThing:Cameras:0:Lanes:0:Polygon", StringComparison.Ordinal));
        }
        using (var outOfFrame = await client.PutAsJsonAsync("/api/cameras/cam-1/lanes/lane-a", new { polygon = new[] { new[] { 0.1f, 0.1f }, new[] { 1.5f, 0.1f }, new[] { 0.5f, 0.9f } }, confirmSeconds = 5 }))
        {
            var body = await outOfFrame.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.BadRequest, outOfFrame.StatusCode);
            Assert.Contains("Polygon:1", body, StringComparison.Ordinal);
            Assert.Contains("ConfirmSeconds", body, StringComparison.Ordinal);
        }
        Assert.Equal(4, watch.Engine.Lanes.Single().Polygon.Count);

        float[][] triangle = [[0.1f, 0.2f], [0.8f, 0.25f], [0.5f, 0.9f]];
        using (var good = await client.PutAsJsonAsync("/api/cameras/cam-1/lanes/lane-a", new { polygon = triangle, stopSeconds = 45, confirmSeconds = 90, cooldownMinutes = 30, minOverlap = 0.3 }))
        {
            Assert.Equal(HttpStatusCode.OK, good.StatusCode);
        }
        var lane = Assert.Single(watch.Engine.Lanes);
        Assert.Equal(3, lane.Polygon.Count);
        Assert.Equal(0.8f, lane.Polygon[1].X, 3);
        Assert.Equal(45, lane.StopSeconds);
        Assert.Equal(0.3, lane.MinOverlapRatio, 3);
        Assert.True(File.Exists(Path.Combine(gateway.Settings.DataDirectory, LaneOverrides.FileName)));

        // A second lane on the same camera, then removed again.
        using (var added = await client.PutAsJsonAsync("/api/cameras/cam-1/lanes/lane-b", new { polygon = triangle, stopSeconds = 20, confirmSeconds = 60 }))
        {
            Assert.Equal(HttpStatusCode.OK, added.StatusCode);
        }
        Assert.Equal(["lane-a", "lane-b"], watch.Engine.Lanes.Select(l => l.Id));
        using (var removed = await client.DeleteAsync("/api/cameras/cam-1/lanes/lane-b"))
        {
            Assert.Equal(HttpStatusCode.OK, removed.StatusCode);
        }
        Assert.Equal(["lane-a"], watch.Engine.Lanes.Select(l => l.Id));
    }

    [Fact]
    public async Task Readyz_reports_broker_database_and_models_and_metrics_carry_the_expected_series()
    {
        await using var gateway = await GatewayHarness.StartAsync(ConsoleGateway.Settings());
        using var anonymous = ConsoleGateway.Client(gateway);

        var ready = await Eventually.ReturnsAsync(async () =>
        {
            using var response = await anonymous.GetAsync("/readyz");
            return (response.StatusCode, Body: await response.Content.ReadFromJsonAsync<JsonElement>());
        }, r => r.StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(20), "readyz 200");
        var checks = ready.Body.GetProperty("checks");
        Assert.Equal("ok", checks.GetProperty("broker").GetString());
        Assert.Equal("ok", checks.GetProperty("database").GetString());
        Assert.Equal("ok", checks.GetProperty("models").GetString());

        await ConsoleGateway.SendFrameAsync(gateway);
        var metrics = await Eventually.ReturnsAsync(
            // The frame is counted as processed just after the pipeline returns, so wait for that too.
            () => anonymous.GetStringAsync("/metrics"),
            m => m.Contains("onething_edge_pipeline_inference_seconds", StringComparison.Ordinal) && m.Contains("outcome=\"processed\"", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10), "inference histogram and processed frames");
        foreach (var series in new[]
        {
            "onething_edge_ingress_frames{", "camera=\"cam-1\"", "outcome=\"processed\"", "onething_edge_pipeline_inference_seconds_bucket", "onething_edge_pipeline_decode_seconds_bucket",
            "onething_cases{state=\"confirmed\"}", "onething_outbox_pending", "onething_outbox_oldest_pending_seconds",
        })
        {
            Assert.Contains(series, metrics, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Lane_risk_is_rated_by_the_job_and_published_on_the_lanes_topic()
    {
        await using var gateway = await GatewayHarness.StartAsync(ConsoleGateway.Settings());
        await using var listener = await TestMqttClient.ConnectAsync(gateway.Settings.MqttPort, "dashboard");
        await listener.SubscribeAsync(gateway.Settings.Topics.LaneRiskEvents);

        var published = await listener.WaitForJsonAsync(gateway.Settings.Topics.LaneRiskEvents, timeout: TimeSpan.FromSeconds(20));
        var lane = Assert.Single(published.GetProperty("lanes").EnumerateArray());
        Assert.Equal("lane-a", lane.GetProperty("laneId").GetString());
        Assert.Equal("green", lane.GetProperty("level").GetString());

        using var client = await ConsoleGateway.SignedInAsync(gateway);
        var risk = await client.GetFromJsonAsync<JsonElement>("/api/risk");
        Assert.Equal("green", risk.GetProperty("lanes")[0].GetProperty("level").GetString());
    }
}
