using Microsoft.Extensions.Options;
using OneThing.Edge.Domain.Audit;
using OneThing.Edge.Domain.Configuration;
using OneThing.Edge.Host.Configuration;
using OneThing.Edge.Host.Footage;
using OneThing.Edge.Host.OperatorConsole;
using OneThing.Edge.Storage.Audit;
using OneThing.Edge.Storage.Labels;

namespace OneThing.Edge.Host.WhatIf;

/// <summary>Candidate settings for a lane; what is left out stays as live. The window defaults to the last 24 hours.</summary>
public sealed record WhatIfRequest(double? StopSeconds, double? ConfirmSeconds, double? MinOverlap, List<float[]>? Polygon, DateTimeOffset? From, DateTimeOffset? To);

public sealed record WhatIfStarted(Guid JobId);

public sealed record WhatIfJobView(Guid Id, string CameraId, string LaneId, string State, double Progress, int FramesDone, int FramesTotal, WhatIfResult? Result, string? Error, bool Applied)
{
    public static WhatIfJobView Of(WhatIfJob job) =>
        new(job.Id, job.CameraId, job.Live.Id, job.State, job.Progress, job.FramesDone, job.FramesTotal, job.Result, job.Error, job.Applied);
}

public sealed record LabelRequest(string? Verdict, string? Reason);

public sealed record MissedViolationRequest(string? CameraId, string? LaneId, DateTimeOffset? StartedAt, DateTimeOffset? EndedAt, string? Note);

public sealed record LabelsView(IReadOnlyList<CaseLabel> Labels, IReadOnlyList<MissedViolation> Missed);

public sealed record ApiErrors(IReadOnlyList<string> Errors);

/// <summary>Payload of a <see cref="AuditKinds.LaneTuned"/> entry: a what-if's candidate applied to a lane.</summary>
public sealed record LaneTunedPayload(Guid JobId, string CameraId, string LaneId, string Operator, LaneSettings Before, LaneSettings After);

/// <summary>
/// Tuning with evidence, under `/api/v1` for signed-in operators: labels on cases and missed violations, what-if jobs
/// on a lane's footage and applying their candidate, and footage export as a scenario.
/// </summary>
public static class TuningEndpoints
{
    public static WebApplication MapTuning(this WebApplication app)
    {
        var api = app.MapGroup("/api/v1").AddEndpointFilter<OperatorRequired>();
        api.MapPost("/lanes/{laneId}/what-if", StartWhatIf);
        api.MapGet("/what-if/{jobId:guid}", (Guid jobId, WhatIfJobs jobs) =>
            jobs.Find(jobId) is { } job ? Results.Ok(WhatIfJobView.Of(job)) : Results.NotFound());
        api.MapDelete("/what-if/{jobId:guid}", (Guid jobId, WhatIfJobs jobs) =>
        {
            if (jobs.Find(jobId) is not { } job)
            {
                return Results.NotFound();
            }
            jobs.Cancel(job);
            return Results.Accepted($"/api/v1/what-if/{jobId}", WhatIfJobView.Of(job));
        });
        api.MapPost("/what-if/{jobId:guid}/apply", ApplyAsync);
        api.MapPut("/cases/{caseId:guid}/label", LabelAsync);
        api.MapPost("/missed-violations", AddMissedAsync);
        api.MapGet("/labels", async (CaseLabels labels, CancellationToken cancellationToken) =>
            new LabelsView([.. (await labels.LabelsAsync(cancellationToken)).Values], await labels.MissedAsync(null, cancellationToken)));
        api.MapGet("/cameras/{cameraId}/footage/scenario", ExportAsync);
        return app;
    }

    private static IResult StartWhatIf(string laneId, WhatIfRequest request, IOptionsMonitor<SiteOptions> site, WhatIfJobs jobs, TimeProvider time)
    {
        if (site.CurrentValue.Cameras.FirstOrDefault(c => c.Lanes.Any(l => l.Id == laneId)) is not { } camera)
        {
            return Results.NotFound(new ApiErrors([$"lane '{laneId}' is not configured"]));
        }
        var live = camera.Lanes.First(l => l.Id == laneId);
        var candidate = new LaneOptions
        {
            Id = live.Id,
            Name = live.Name,
            Polygon = request.Polygon ?? live.Polygon,
            StopSeconds = request.StopSeconds ?? live.StopSeconds,
            ConfirmSeconds = request.ConfirmSeconds ?? live.ConfirmSeconds,
            CooldownMinutes = live.CooldownMinutes,
            MinOverlap = request.MinOverlap ?? live.MinOverlap,
        };
        var to = request.To ?? time.GetUtcNow();
        var from = request.From ?? to.AddDays(-1);
        var errors = Validate(site.CurrentValue, camera.Id, candidate).ToList();
        if (from >= to)
        {
            errors.Add("from must be before to");
        }
        if (errors.Count > 0)
        {
            return Results.BadRequest(new ApiErrors(errors));
        }
        var job = new WhatIfJob(Guid.NewGuid(), camera.Id, live, candidate, from, to);
        return jobs.TryStart(job)
            ? Results.Accepted($"/api/v1/what-if/{job.Id}", new WhatIfStarted(job.Id))
            : Results.Json(new ApiErrors([$"{WhatIfJobs.MaxQueued} what-ifs are waiting; try again when one is done"]), statusCode: StatusCodes.Status429TooManyRequests);
    }

    /// <summary>Writes a finished what-if's candidate to the lane overrides (live at once) and the audit log.</summary>
    private static async Task<IResult> ApplyAsync(
        Guid jobId, HttpContext context, WhatIfJobs jobs, IOptionsMonitor<SiteOptions> site, LaneOverrides overrides, OperatorSessions sessions, AuditLog audit, CancellationToken cancellationToken)
    {
        if (jobs.Find(jobId) is not { } job)
        {
            return Results.NotFound();
        }
        if (job.State != WhatIfStates.Done)
        {
            return Results.Conflict(new ApiErrors([$"the what-if is {job.State}; only a finished one can be applied"]));
        }
        if (Validate(site.CurrentValue, job.CameraId, job.Candidate).ToList() is { Count: > 0 } errors)
        {
            return Results.BadRequest(new ApiErrors(errors));
        }
        var lanes = site.CurrentValue.Cameras.First(c => c.Id == job.CameraId).Lanes.Select(l => l.Id == job.Candidate.Id ? job.Candidate : l).ToList();
        overrides.Save(job.CameraId, lanes);
        job.Applied = true;
        var name = sessions.Operator(context) ?? "";
        await audit.AppendAsync(AuditKinds.LaneTuned, new LaneTunedPayload(job.Id, job.CameraId, job.Candidate.Id, name, LaneSettings.Of(job.Live), LaneSettings.Of(job.Candidate)), cancellationToken);
        return Results.Ok(WhatIfJobView.Of(job));
    }

    /// <summary>The site's rules (as at start) for the site with the camera's lane replaced by the candidate.</summary>
    private static IEnumerable<string> Validate(SiteOptions current, string cameraId, LaneOptions candidate)
    {
        var site = new SiteOptions
        {
            SiteId = current.SiteId,
            DataDirectory = current.DataDirectory,
            Cameras = current.Cameras.Select(c => new CameraOptions
            {
                Id = c.Id,
                Lanes = c.Id == cameraId ? c.Lanes.Select(l => l.Id == candidate.Id ? candidate : l).ToList() : [.. c.Lanes],
            }).ToList(),
        };
        var result = new SiteOptionsValidation().Validate(null, site);
        return result.Failed ? result.Failures : [];
    }

    private static async Task<IResult> LabelAsync(Guid caseId, LabelRequest request, HttpContext context, OperatorSessions sessions, CaseLabels labels, CancellationToken cancellationToken)
    {
        try
        {
            return await labels.LabelAsync(caseId, request.Verdict ?? "", request.Reason, sessions.Operator(context) ?? "", cancellationToken)
                ? Results.NoContent()
                : Results.NotFound(new ApiErrors([$"no case {caseId}"]));
        }
        catch (ArgumentException e)
        {
            return Results.BadRequest(new ApiErrors([e.Message]));
        }
    }

    private static async Task<IResult> AddMissedAsync(
        MissedViolationRequest request, HttpContext context, OperatorSessions sessions, IOptionsMonitor<SiteOptions> site, CaseLabels labels, CancellationToken cancellationToken)
    {
        if (site.CurrentValue.Cameras.FirstOrDefault(c => c.Id == request.CameraId) is not { } camera || camera.Lanes.All(l => l.Id != request.LaneId))
        {
            return Results.BadRequest(new ApiErrors([$"camera '{request.CameraId}' with lane '{request.LaneId}' is not configured"]));
        }
        if (request.StartedAt is not { } start || request.EndedAt is not { } end)
        {
            return Results.BadRequest(new ApiErrors(["startedAt and endedAt are required"]));
        }
        try
        {
            var missed = await labels.AddMissedAsync(camera.Id, request.LaneId!, start, end, sessions.Operator(context) ?? "", request.Note, cancellationToken);
            return Results.Created($"/api/v1/labels", missed);
        }
        catch (ArgumentException e)
        {
            return Results.BadRequest(new ApiErrors([e.Message]));
        }
    }

    /// <summary>The camera's footage over [from, to] (default: the last 24 hours) as a scenario zip.</summary>
    private static async Task<IResult> ExportAsync(string cameraId, DateTimeOffset? from, DateTimeOffset? to, FootageExport export, TimeProvider time, CancellationToken cancellationToken)
    {
        var end = to ?? time.GetUtcNow();
        // Spooled to a temp file: a day of frames is too large for memory, and the zip is complete before the response starts.
        var file = new FileStream(Path.GetTempFileName(), FileMode.Create, FileAccess.ReadWrite, FileShare.None, 81920, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        try
        {
            await export.WriteAsync(cameraId, from ?? end.AddDays(-1), end, file, cancellationToken);
        }
        catch (InvalidDataException e)
        {
            await file.DisposeAsync();
            return Results.NotFound(new ApiErrors([e.Message]));
        }
        file.Position = 0;
        return Results.Stream(file, "application/zip", $"{cameraId}-footage.zip");
    }
}
