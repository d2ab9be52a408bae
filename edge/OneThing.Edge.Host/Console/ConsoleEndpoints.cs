using Microsoft.Extensions.Options;
using OneThing.Edge.Domain.Audit;
using OneThing.Edge.Domain.Configuration;
using OneThing.Edge.Host.Configuration;
using OneThing.Edge.Host.Pipeline;
using OneThing.Edge.Messaging;
using OneThing.Edge.Storage;
using OneThing.Edge.Storage.Audit;
using OneThing.Edge.Storage.Cases;
using OneThing.Edge.Vision;
using OpenCvSharp;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace OneThing.Edge.Host.OperatorConsole;

public sealed record LoginRequest(string? Token);

/// <summary>
/// The operator console: the static page at `/` and its JSON API under `/api`. The page itself holds no data; every
/// API call except sign-in needs a signed-in operator, since frames, evidence and plates are personal data.
/// </summary>
public static partial class ConsoleEndpoints
{
    public static WebApplication MapConsole(this WebApplication app)
    {
        app.UseDefaultFiles();
        app.UseStaticFiles();
        var sessions = app.Services.GetRequiredService<OperatorSessions>();
        if (!sessions.IsConfigured)
        {
            LogNoOperators(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ConsoleEndpoints).FullName!));
        }

        var throttle = app.Services.GetRequiredService<LoginThrottle>();
        app.MapPost("/api/login", (LoginRequest request, HttpContext context, IOptionsMonitor<ConsoleOptions> console) =>
        {
            var address = context.Connection.RemoteIpAddress;
            if (throttle.RetryAfter(address) is { } wait)
            {
                context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                return Results.Json(new { error = "too many failed sign-ins; retry later" }, statusCode: StatusCodes.Status429TooManyRequests);
            }
            if (sessions.Authenticate(request.Token) is not { } name)
            {
                throttle.Failed(address);
                return Results.Json(new { error = "unknown token" }, statusCode: StatusCodes.Status401Unauthorized);
            }
            throttle.Succeeded(address);
            context.Response.Cookies.Append(OperatorSessions.CookieName, sessions.Open(name, request.Token!), new CookieOptions
            {
                HttpOnly = true,
                SameSite = SameSiteMode.Strict,
                // Behind a TLS-terminating proxy the request arrives as plain HTTP, so IsHttps alone would miss it.
                Secure = console.CurrentValue.SecureCookie || context.Request.IsHttps,
                Path = "/",
            });
            return Results.Json(new { @operator = name });
        });
        app.MapPost("/api/logout", (HttpContext context) =>
        {
            sessions.Close(context.Request.Cookies[OperatorSessions.CookieName]);
            context.Response.Cookies.Delete(OperatorSessions.CookieName);
            return Results.NoContent();
        });

        var api = app.MapGroup("/api").AddEndpointFilter<OperatorRequired>();
        api.MapGet("/site", (HttpContext context, IOptionsMonitor<SiteOptions> site, FrameAnalyser pipeline) => new
        {
            siteId = site.CurrentValue.SiteId,
            @operator = sessions.Operator(context),
            cameras = site.CurrentValue.Cameras.Select(c => new
            {
                id = c.Id,
                lastFrameAt = pipeline.Cameras.GetValueOrDefault(c.Id)?.LastFrameAt,
                lanes = c.Lanes,
            }),
        });
        api.MapGet("/cameras/{cameraId}/frame", Frame);
        api.MapPut("/cameras/{cameraId}/lanes/{laneId}", SaveLane);
        api.MapDelete("/cameras/{cameraId}/lanes/{laneId}", DeleteLane);
        api.MapGet("/cases", async (CaseQueries cases, int? limit, CancellationToken cancellationToken) =>
            await cases.RecentAsync(Math.Clamp(limit ?? 50, 1, 500), cancellationToken));
        api.MapGet("/evidence/{sha256}", ViewEvidence);
        api.MapGet("/cases/{caseId:guid}/export", ExportCase);
        api.MapGet("/audit", async (AuditLog audit, FileStore files, CancellationToken cancellationToken) =>
        {
            var result = await audit.VerifyAsync(files, cancellationToken);
            return new { ok = result.Ok, entries = result.EntriesChecked, failure = result.FirstFailure?.ToString() };
        });
        api.MapGet("/counters", async (IngressCounters counters, CaseQueries cases, CancellationToken cancellationToken) => new
        {
            cameras = counters.Cameras.ToDictionary(c => c.Key, c => new { c.Value.Received, c.Value.Dropped, c.Value.Rejected, c.Value.Processed, c.Value.Failed }),
            unknownCameraFrames = counters.UnknownCameraFrames,
            pdaReports = counters.ReportOutcomes,
            outbox = await cases.OutboxAsync(cancellationToken),
        });
        api.MapGet("/risk", (LaneRiskBoard board) => new
        {
            ratedAt = board.RatedAt,
            lanes = board.Ratings.Select(r => new { r.LaneId, r.CameraId, r.Cases, level = r.Level.ToString().ToLowerInvariant() }),
        });
        return app;
    }

    /// <summary>An evidence file, shown to an operator: recorded in the audit log (who, which case and file) before it is sent.</summary>
    private static async Task<IResult> ViewEvidence(
        string sha256, FileStore files, CaseQueries cases, AuditLog audit, OperatorSessions sessions, HttpContext context, CancellationToken cancellationToken)
    {
        // Only a hash may become a path.
        var sha = sha256.ToLowerInvariant();
        if (sha.Length != 64 || !sha.All(char.IsAsciiHexDigit) || !files.Exists(sha))
        {
            return Results.NotFound();
        }
        var caseId = await cases.CaseOfEvidenceAsync(sha, cancellationToken);
        await audit.AppendAsync(AuditKinds.EvidenceViewed,
            new ExtractionPayload(caseId, [sha], sessions.Operator(context) ?? "unknown", ExtractionPayload.OperatorConsole), cancellationToken);
        // Content-addressed, so it never changes: the browser keeps it instead of fetching (and recording) it again
        // on every refresh of the case list.
        context.Response.Headers.CacheControl = "private, max-age=86400, immutable";
        return Results.File(files.PathOf(sha), "image/jpeg");
    }

    /// <summary>The case export zip (see <see cref="CaseExport"/>), recorded as an extraction by the signed-in operator.</summary>
    private static async Task<IResult> ExportCase(Guid caseId, CaseExport export, OperatorSessions sessions, HttpContext context, CancellationToken cancellationToken)
    {
        using var zip = new MemoryStream();
        try
        {
            await export.WriteAsync(caseId, sessions.Operator(context) ?? "unknown", ExtractionPayload.OperatorConsole, zip, cancellationToken);
        }
        catch (KeyNotFoundException)
        {
            return Results.NotFound(new { errors = new[] { $"case {caseId} is not in the audit log" } });
        }
        return Results.File(zip.ToArray(), "application/zip", $"case-{caseId}.zip");
    }

    /// <summary>The camera's latest frame with its lanes and vehicle boxes; a grey frame until the camera sends one, so lanes can be drawn early.</summary>
    private static IResult Frame(string cameraId, IOptionsMonitor<SiteOptions> site, FrameAnalyser pipeline, FrameDecoder decoder, Annotator annotator, TimeProvider time, HttpContext context)
    {
        if (site.CurrentValue.Cameras.FirstOrDefault(c => c.Id == cameraId) is not { } camera)
        {
            return Results.NotFound();
        }
        var latest = pipeline.Cameras.GetValueOrDefault(cameraId)?.LatestFrame;
        using var mat = latest is null ? new Mat(720, 1280, MatType.CV_8UC3, new Scalar(70, 70, 70)) : decoder.Decode(latest.Image);
        var lanes = CameraAnalysis.Lanes(camera).Select(l => new LaneOverlay(l.Id, l.Polygon)).ToList();
        var jpeg = annotator.Render(mat, new FrameOverlay(camera.Id, latest?.CapturedAt ?? time.GetUtcNow(), lanes, latest?.Vehicles ?? [], []));
        context.Response.Headers.CacheControl = "no-store";
        return Results.File(jpeg, "image/jpeg");
    }

    private static IResult SaveLane(string cameraId, string laneId, LaneOptions lane, IOptionsMonitor<SiteOptions> site, LaneOverrides overrides)
    {
        lane.Id = laneId;
        return Apply(cameraId, lanes =>
        {
            var at = lanes.FindIndex(l => l.Id == laneId);
            if (at < 0)
            {
                lanes.Add(lane);
            }
            else
            {
                lanes[at] = lane;
            }
        }, site, overrides);
    }

    private static IResult DeleteLane(string cameraId, string laneId, IOptionsMonitor<SiteOptions> site, LaneOverrides overrides) =>
        Apply(cameraId, lanes => lanes.RemoveAll(l => l.Id == laneId), site, overrides);

    /// <summary>Validates the whole site with the edit applied (the same rules as at start), then persists and reloads.</summary>
    private static IResult Apply(string cameraId, Action<List<LaneOptions>> edit, IOptionsMonitor<SiteOptions> site, LaneOverrides overrides)
    {
        var current = site.CurrentValue;
        if (current.Cameras.All(c => c.Id != cameraId))
        {
            return Results.NotFound(new { errors = new[] { $"camera '{cameraId}' is not configured" } });
        }
        var candidate = new SiteOptions
        {
            SiteId = current.SiteId,
            DataDirectory = current.DataDirectory,
            Cameras = current.Cameras.Select(c => new CameraOptions { Id = c.Id, Lanes = [.. c.Lanes] }).ToList(),
        };
        var lanes = candidate.Cameras.First(c => c.Id == cameraId).Lanes;
        edit(lanes);
        var result = new SiteOptionsValidation().Validate(null, candidate);
        if (result.Failed)
        {
            return Results.BadRequest(new { errors = result.Failures });
        }
        overrides.Save(cameraId, lanes);
        return Results.Ok(new { cameraId, lanes = site.CurrentValue.Cameras.First(c => c.Id == cameraId).Lanes });
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "No console operator configured (OneThing:Console:Operators or OneThing:Console:Token): the console refuses every sign-in")]
    private static partial void LogNoOperators(ILogger logger);
}
