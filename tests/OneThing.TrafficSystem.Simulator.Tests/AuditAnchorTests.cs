using System.Net;
using System.Net.Http.Json;
using Xunit;

namespace OneThing.TrafficSystem.Simulator.Tests;

/// <summary>The traffic system's anchor store over HTTP: kept as first received, served back per site and gateway instance.</summary>
public sealed class AuditAnchorTests
{
    private static object Anchor(long sequence, char hash, string site = "site-1", string instance = "gateway-a") =>
        new { siteId = site, instanceId = instance, sequence, entryHash = new string(hash, 64), anchoredAt = "2026-11-23T08:00:00Z" };

    [Fact]
    public async Task Anchors_are_kept_per_site_and_a_repeat_is_accepted_once()
    {
        await using var sim = await RunningSimulator.StartAsync();

        using (var first = await sim.Client.PostAsJsonAsync("/api/v1/audit-anchors", Anchor(7, 'a')))
        {
            Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        }
        using (var repeat = await sim.Client.PostAsJsonAsync("/api/v1/audit-anchors", Anchor(7, 'a')))
        {
            Assert.Equal(HttpStatusCode.OK, repeat.StatusCode);
            Assert.Equal("true", repeat.Headers.GetValues("Idempotent-Replayed").Single());
        }
        (await sim.Client.PostAsJsonAsync("/api/v1/audit-anchors", Anchor(3, 'b'))).Dispose();
        (await sim.Client.PostAsJsonAsync("/api/v1/audit-anchors", Anchor(9, 'c', site: "site-2"))).Dispose();

        var held = await sim.Client.GetFromJsonAsync<List<AuditAnchor>>("/api/v1/audit-anchors/site-1/gateway-a");

        Assert.Equal([3L, 7], held!.Select(a => a.Sequence));
        Assert.Equal(new string('a', 64), held![1].EntryHash);
    }

    [Fact]
    public async Task Another_hash_for_an_anchored_sequence_is_refused_and_the_first_is_kept()
    {
        await using var sim = await RunningSimulator.StartAsync();
        (await sim.Client.PostAsJsonAsync("/api/v1/audit-anchors", Anchor(7, 'a'))).Dispose();

        using var rewrite = await sim.Client.PostAsJsonAsync("/api/v1/audit-anchors", Anchor(7, 'f'));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, rewrite.StatusCode);
        var held = await sim.Client.GetFromJsonAsync<List<AuditAnchor>>("/api/v1/audit-anchors/site-1/gateway-a");
        Assert.Equal(new string('a', 64), held!.Single().EntryHash);
    }

    [Fact]
    public async Task An_anchor_without_a_valid_hash_or_sequence_is_refused_with_the_fields_named()
    {
        await using var sim = await RunningSimulator.StartAsync();

        using var response = await sim.Client.PostAsJsonAsync("/api/v1/audit-anchors", new { siteId = "site-1", sequence = 0, entryHash = "../etc", anchoredAt = "2026-11-23T08:00:00Z" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("sequence", body, StringComparison.Ordinal);
        Assert.Contains("entryHash", body, StringComparison.Ordinal);
        Assert.Contains("instanceId", body, StringComparison.Ordinal);
        Assert.Empty((await sim.Client.GetFromJsonAsync<List<AuditAnchor>>("/api/v1/audit-anchors/site-1/gateway-a"))!);
    }

    [Fact]
    public async Task Two_instances_of_a_site_anchor_the_same_sequence_with_their_own_hashes_and_each_keeps_its_own()
    {
        await using var sim = await RunningSimulator.StartAsync();

        using var a = await sim.Client.PostAsJsonAsync("/api/v1/audit-anchors", Anchor(7, 'a', instance: "gateway-a"));
        using var b = await sim.Client.PostAsJsonAsync("/api/v1/audit-anchors", Anchor(7, 'b', instance: "gateway-b"));

        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.Created), (a.StatusCode, b.StatusCode));
        var heldA = await sim.Client.GetFromJsonAsync<List<AuditAnchor>>("/api/v1/audit-anchors/site-1/gateway-a");
        var heldB = await sim.Client.GetFromJsonAsync<List<AuditAnchor>>("/api/v1/audit-anchors/site-1/gateway-b");
        Assert.Equal(new string('a', 64), heldA!.Single().EntryHash);
        Assert.Equal(new string('b', 64), heldB!.Single().EntryHash);
    }
}
