using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Mvc;
using Serilog;
using Serilog.Events;

namespace OneThing.TrafficSystem.Simulator;

/// <summary>Configuration of the simulator (section <c>Simulator</c>).</summary>
public sealed class SimulatorOptions
{
    /// <summary>The bearer token callers must present.</summary>
    public string Token { get; set; } = "simulator-token";

    /// <summary>CSV of plate,owner,phone; relative paths are resolved against the executable's folder.</summary>
    public string OwnersCsv { get; set; } = "owners.csv";

    /// <summary>File every notice is appended to as a JSON line; empty for none.</summary>
    public string NoticeFile { get; set; } = "notices.jsonl";

    /// <summary>Folder where uploaded evidence files are kept (named by their SHA-256) and served back; empty: checked, not kept.</summary>
    public string EvidenceDirectory { get; set; } = "";
}

/// <summary>
/// The reference traffic system: owner registry, idempotent case intake, SMS sink, bearer auth and fault injection.
/// <see cref="Build"/> serves both the executable and in-process tests (listen address from <c>--urls</c>).
/// </summary>
public static class SimulatorApp
{
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        var options = builder.Configuration.GetSection("Simulator").Get<SimulatorOptions>() ?? new SimulatorOptions();
        if (string.IsNullOrWhiteSpace(options.Token))
        {
            throw new InvalidOperationException("Simulator:Token must not be empty.");
        }
        var ownersPath = Path.IsPathRooted(options.OwnersCsv) ? options.OwnersCsv : Path.Combine(AppContext.BaseDirectory, options.OwnersCsv);
        if (!File.Exists(ownersPath))
        {
            throw new InvalidOperationException($"Simulator:OwnersCsv: {ownersPath} does not exist.");
        }

        builder.Services.AddSerilog((_, logger) => logger
            .MinimumLevel.Information()
            .MinimumLevel.Override("Microsoft.AspNetCore", LogEventLevel.Warning)
            .ReadFrom.Configuration(builder.Configuration)
            .WriteTo.Console(formatProvider: System.Globalization.CultureInfo.InvariantCulture));
        builder.Services.AddProblemDetails();
        builder.Services.ConfigureHttpJsonOptions(json =>
            json.SerializerOptions.Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(OwnerRegistry.Load(ownersPath));
        builder.Services.AddSingleton(sp => new NoticeSink(
            sp.GetRequiredService<ILogger<NoticeSink>>(),
            string.IsNullOrWhiteSpace(options.NoticeFile) ? null : Path.GetFullPath(options.NoticeFile)));
        builder.Services.AddSingleton<CaseBook>();
        builder.Services.AddSingleton(new EvidenceShelf(string.IsNullOrWhiteSpace(options.EvidenceDirectory) ? null : Path.GetFullPath(options.EvidenceDirectory)));
        builder.Services.AddSingleton<AnchorBook>();
        builder.Services.AddSingleton<FaultInjection>();

        var app = builder.Build();
        var token = Encoding.UTF8.GetBytes(options.Token);
        app.UseWhen(c => c.Request.Path.StartsWithSegments("/api"), api =>
        {
            api.Use(InjectFaults);
            api.Use((context, next) => Authorize(context, next, token));
        });
        MapApi(app);
        MapAdmin(app);
        return app;
    }

    private static async Task InjectFaults(HttpContext context, RequestDelegate next)
    {
        var (refuse, latencyMs, failStatus) = context.RequestServices.GetRequiredService<FaultInjection>().Next();
        if (refuse)
        {
            context.Abort();
            return;
        }
        if (latencyMs > 0)
        {
            // Not cancelled with the request: a slow server finishes the work even when the client has given up.
            await Task.Delay(latencyMs, CancellationToken.None);
        }
        if (failStatus != 0)
        {
            await Results.Problem(title: "Injected fault", statusCode: failStatus).ExecuteAsync(context);
            return;
        }
        await next(context);
    }

    private static Task Authorize(HttpContext context, RequestDelegate next, byte[] token)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            return Results.Problem(title: "A bearer token is required.", statusCode: StatusCodes.Status401Unauthorized).ExecuteAsync(context);
        }
        var presented = Encoding.UTF8.GetBytes(header["Bearer ".Length..].Trim());
        if (!CryptographicOperations.FixedTimeEquals(presented, token))
        {
            return Results.Problem(title: "The bearer token is not valid.", statusCode: StatusCodes.Status403Forbidden).ExecuteAsync(context);
        }
        return next(context);
    }

    private static void MapApi(WebApplication app)
    {
        var api = app.MapGroup("/api/v1");

        api.MapPost("/violations", (ViolationIntake? intake, [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey, CaseBook cases) =>
        {
            var errors = IntakeValidation.Validate(intake, idempotencyKey);
            if (errors.Count > 0)
            {
                return Results.ValidationProblem(errors, title: "The case is not valid.");
            }
            var (receipt, created) = cases.Open(intake!);
            return created ? Results.Created($"/api/v1/violations/{intake!.ViolationId}", receipt) : Results.Ok(receipt);
        });

        api.MapGet("/violations/{violationId:guid}", (Guid violationId, CaseBook cases) =>
            cases.Find(violationId) is { } found ? Results.Ok(found) : Results.NotFound());

        api.MapPut("/violations/{violationId:guid}/evidence/{sha256}", async (Guid violationId, string sha256, HttpRequest request, CaseBook cases, EvidenceShelf shelf) =>
        {
            if (!IntakeValidation.IsSha256(sha256))
            {
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["sha256"] = ["sha256 must be 64 lower-case hex digits."] });
            }
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body, request.HttpContext.RequestAborted);
            var actual = Convert.ToHexStringLower(SHA256.HashData(body.GetBuffer().AsSpan(0, (int)body.Length)));
            if (actual != sha256)
            {
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["sha256"] = [$"The body hashes to {actual}, not {sha256}."] });
            }
            if (!cases.AddEvidence(violationId, sha256))
            {
                return Results.Problem(title: $"No case for violation {violationId}.", statusCode: StatusCodes.Status404NotFound);
            }
            await shelf.KeepAsync(sha256, body.GetBuffer().AsMemory(0, (int)body.Length), request.ContentType, request.HttpContext.RequestAborted);
            return Results.NoContent();
        });

        api.MapGet("/violations/{violationId:guid}/evidence/{sha256}", (Guid violationId, string sha256, CaseBook cases, EvidenceShelf shelf) =>
            cases.Find(violationId) is { } found && found.UploadedEvidence.Contains(sha256) && shelf.Find(sha256) is { } kept
                ? Results.File(kept.Path, kept.ContentType)
                : Results.NotFound());

        api.MapPost("/violations/{violationId:guid}/clearance", (Guid violationId, ClearanceReport? clearance,
            [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey, CaseBook cases, HttpContext context) =>
        {
            var errors = new Dictionary<string, string[]>();
            if (idempotencyKey != $"{violationId:D}:clearance")
            {
                errors["Idempotency-Key"] = [$"The Idempotency-Key header must be '{violationId:D}:clearance'."];
            }
            if (clearance?.ClearedAt is null)
            {
                errors["clearedAt"] = ["clearedAt is required."];
            }
            if (clearance?.Outcome is null || !IntakeValidation.ClearanceOutcomes.Contains(clearance.Outcome))
            {
                errors["outcome"] = ["outcome must be left-after-notice, escalated or ticketed."];
            }
            if (errors.Count > 0)
            {
                return Results.ValidationProblem(errors, title: "The clearance is not valid.");
            }
            switch (cases.Clear(violationId, clearance!))
            {
                case ClearanceResult.Recorded:
                    return Results.NoContent();
                case ClearanceResult.Repeat:
                    // A retry whose first reply was lost: same answer, marked so a client can tell.
                    context.Response.Headers["Idempotent-Replayed"] = "true";
                    return Results.NoContent();
                case ClearanceResult.Conflict:
                    return Results.Problem(title: "This case already has a different clearance; the Idempotency-Key was reused with another body.",
                        statusCode: StatusCodes.Status422UnprocessableEntity);
                default:
                    return Results.Problem(title: $"No case for violation {violationId}.", statusCode: StatusCodes.Status404NotFound);
            }
        });

        api.MapGet("/notices", (NoticeSink sms) => sms.All);

        api.MapPost("/audit-anchors", (AuditAnchorIntake? intake, AnchorBook anchors, HttpContext context) =>
        {
            var errors = intake?.Validate() ?? new() { ["body"] = ["An anchor is required."] };
            if (errors.Count > 0)
            {
                return Results.ValidationProblem(errors, title: "The anchor is not valid.");
            }
            var anchor = new AuditAnchor(intake!.SiteId!, intake.InstanceId!, intake.Sequence!.Value, intake.EntryHash!, intake.AnchoredAt!.Value);
            switch (anchors.Record(anchor))
            {
                case AnchorResult.Recorded:
                    return Results.Created($"/api/v1/audit-anchors/{anchor.SiteId}/{anchor.InstanceId}", anchor);
                case AnchorResult.Repeat:
                    context.Response.Headers["Idempotent-Replayed"] = "true";
                    return Results.Ok(anchor);
                default:
                    return Results.Problem(title: $"Entry {anchor.Sequence} of site {anchor.SiteId}, instance {anchor.InstanceId} is already anchored with another hash; the first is kept.",
                        statusCode: StatusCodes.Status422UnprocessableEntity);
            }
        });

        api.MapGet("/audit-anchors/{siteId}/{instanceId}", (string siteId, string instanceId, AnchorBook anchors) => anchors.Of(siteId, instanceId));
    }

    private static void MapAdmin(WebApplication app)
    {
        app.MapGet("/healthz", (OwnerRegistry owners, CaseBook cases) => Results.Ok(new { status = "ok", owners = owners.Count, cases = cases.Count }));
        app.MapGet("/admin/faults", (FaultInjection faults) => faults.Current);
        app.MapPost("/admin/faults", (FaultSettings settings, FaultInjection faults) =>
        {
            faults.Apply(settings);
            return faults.Current;
        });
        app.MapDelete("/admin/faults", (FaultInjection faults) =>
        {
            faults.Clear();
            return Results.NoContent();
        });
    }
}
