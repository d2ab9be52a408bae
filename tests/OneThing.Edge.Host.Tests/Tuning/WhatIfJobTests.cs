using System.Net;
using System.Net.Http.Json;
using OneThing.Edge.Host.Footage;
using OneThing.Edge.Host.Tests.Console;
using OneThing.Edge.Host.WhatIf;
using OneThing.Edge.TestKit;
using Xunit;

namespace OneThing.Edge.Host.Tests.Tuning;

/// <summary>
/// What-if jobs on kept footage with capture times of a past morning (the engine runs on those, not on the clock):
/// the real pipeline replays the window with the live and the candidate settings.
/// </summary>
public sealed class WhatIfJobTests
{
    private static readonly DateTimeOffset Morning = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_what_if_on_kept_footage_shows_the_cases_a_longer_confirmation_would_drop()
    {
        await using var gateway = await GatewayHarness.StartAsync(TuningGateway.Settings());
        // 40 s of two parked cars: cited after 20 s with the live settings, never with ConfirmSeconds 60.
        TuningGateway.KeepFootage(gateway, Morning, 20);
        using var client = await ConsoleGateway.SignedInAsync(gateway);

        using var response = await client.PostAsJsonAsync("/api/v1/lanes/lane-a/what-if",
            new WhatIfRequest(null, 60, null, null, Morning.AddMinutes(-1), Morning.AddMinutes(5)));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var started = (await response.Content.ReadFromJsonAsync<WhatIfStarted>())!;
        var job = await TuningGateway.FinishedAsync(client, started.JobId);

        Assert.Equal(WhatIfStates.Done, job.State);
        Assert.Equal(1.0, job.Progress);
        var result = job.Result!;
        Assert.Equal(20, result.Frames);
        Assert.Equal(15, result.Live.ConfirmSeconds);
        Assert.Equal(60, result.Candidate.ConfirmSeconds);
        Assert.Equal(5, result.Candidate.StopSeconds);
        Assert.Equal(2, result.LiveScore.Cases);
        Assert.Equal(0, result.CandidateScore.Cases);
        Assert.All(result.Cases, c => Assert.Equal(WhatIfComparison.Dropped, c.Change));
        Assert.InRange(result.LiveScore.MedianSecondsToConfirm!.Value, 15, 25);
        // No labels in that window: nothing to score against.
        Assert.Null(result.LiveScore.Precision);
        Assert.Equal(TuningGateway.SizeOf(File.ReadAllBytes(gateway.Get<FootageStore>().Frames("cam-1", Morning, Morning)[0].Path)), (640, 478));
    }

    [Fact]
    public async Task A_running_what_if_can_be_cancelled_and_bad_candidates_are_refused_by_name()
    {
        await using var gateway = await GatewayHarness.StartAsync(TuningGateway.Settings());
        TuningGateway.KeepFootage(gateway, Morning, 300);
        using var client = await ConsoleGateway.SignedInAsync(gateway);

        using var bad = await client.PostAsJsonAsync("/api/v1/lanes/lane-a/what-if", new WhatIfRequest(null, null, 3, null, null, null));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("MinOverlap", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var unknown = await client.PostAsJsonAsync("/api/v1/lanes/no-such-lane/what-if", new WhatIfRequest(null, 60, null, null, null, null));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);

        using var response = await client.PostAsJsonAsync("/api/v1/lanes/lane-a/what-if", new WhatIfRequest(null, 60, null, null, Morning, Morning.AddHours(1)));
        var started = (await response.Content.ReadFromJsonAsync<WhatIfStarted>())!;
        await Eventually.ReturnsAsync(async () => (await client.GetFromJsonAsync<WhatIfJobView>($"/api/v1/what-if/{started.JobId}"))!,
            j => j.FramesDone > 0, TimeSpan.FromMinutes(2), "what-if under way");
        using var cancel = await client.DeleteAsync($"/api/v1/what-if/{started.JobId}");
        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);

        var job = await TuningGateway.FinishedAsync(client, started.JobId);
        Assert.Equal(WhatIfStates.Cancelled, job.State);
        Assert.True(job.FramesDone < job.FramesTotal, $"{job.FramesDone} of {job.FramesTotal} frames played");
        Assert.Null(job.Result);
        using var apply = await client.PostAsync($"/api/v1/what-if/{started.JobId}/apply", null);
        Assert.Equal(HttpStatusCode.Conflict, apply.StatusCode);
    }
}
