using System.Text.Json;
using Microsoft.Extensions.Options;
using OneThing.Edge.Domain.Audit;
using OneThing.Edge.Domain.Configuration;
using OneThing.Edge.Messaging;
using OneThing.Edge.Messaging.Contracts;
using OneThing.Edge.Storage;
using OneThing.Edge.Storage.Audit;
using OneThing.Edge.Storage.Reports;
using OneThing.Edge.Storage.Violations;
using OneThing.Edge.Vision;

namespace OneThing.Edge.Host.Officer;

/// <summary>
/// The officer app: its static files under `/officer/` (wwwroot/officer), its settings at `/officer/config.json`
/// (anonymous, no secrets) and its API under `/api/v1/officer`, for PDAs only (<see cref="DeviceLogin"/>, not the
/// console's operator login). Reports, receipts and tasks themselves go over MQTT, as from any PDA.
/// </summary>
public static class OfficerEndpoints
{
    private static readonly string[] PhotoTypes = ["image/jpeg", "image/png"];

    public static WebApplication MapOfficer(this WebApplication app)
    {
        // `/officer` itself: the static files' default-file middleware redirects it to `/officer/` (index.html). An
        // endpoint here would also match `/officer/` (routing ignores a trailing slash) and keep the static files
        // from serving it: a redirect loop.
        app.MapGet("/officer/config.json", (HttpContext context, IOptionsMonitor<OfficerOptions> officer, IOptions<SiteOptions> site, MqttOptions mqtt) =>
        {
            context.Response.Headers.CacheControl = "no-store";
            var brokerUrl = officer.CurrentValue.BrokerUrl;
            return new OfficerAppConfig(string.IsNullOrWhiteSpace(brokerUrl) ? null : brokerUrl, site.Value.SiteId, mqtt.TopicPrefix, mqtt.MaxPhotoSide);
        });

        var api = app.MapGroup("/api/v1/officer").AddEndpointFilter<PdaRequired>();
        // The device id the login belongs to: the app's MQTT topics are the device's, whatever its username.
        api.MapGet("/device", (HttpContext context) => new OfficerDevice(DeviceLogin.DeviceOf(context)));
        api.MapPost("/plate-reading", ReadPlateAsync);
        api.MapGet("/lanes", (IOptionsMonitor<SiteOptions> site) =>
            site.CurrentValue.Cameras.SelectMany(c => c.Lanes.Select(l => new OfficerLane(l.Id, c.Id, string.IsNullOrWhiteSpace(l.Name) ? l.Id : l.Name))));
        api.MapGet("/tasks", async (HttpContext context, TaskRecipients recipients, CancellationToken cancellationToken) =>
        {
            var tasks = await recipients.OpenTasksAsync(DeviceLogin.DeviceOf(context), cancellationToken);
            return Results.Json(tasks.Select(t => JsonSerializer.Deserialize<OfficerTask>(t, PdaJson.Options)), PdaJson.Options);
        });
        api.MapGet("/tasks/{taskId}/evidence/{index:int}", EvidenceThumbnailAsync);
        return app;
    }

    /// <summary>The plate of the request body's photo (JPEG or PNG, at most `Mqtt:MaxReportBytes`); the photo is not kept.</summary>
    private static async Task<IResult> ReadPlateAsync(HttpContext context, OfficerPhotos photos, MqttOptions mqtt, CancellationToken cancellationToken)
    {
        var request = context.Request;
        if (!PhotoTypes.Contains(request.ContentType?.Split(';')[0].Trim(), StringComparer.OrdinalIgnoreCase))
        {
            return new OfficerError(OfficerError.UnsupportedMediaType, "send the photo as image/jpeg or image/png").ToResult(StatusCodes.Status415UnsupportedMediaType);
        }
        var tooLarge = new OfficerError(OfficerError.PhotoTooLarge, $"the photo is over {mqtt.MaxReportBytes} bytes (Mqtt:MaxReportBytes)");
        if (request.ContentLength > mqtt.MaxReportBytes)
        {
            return tooLarge.ToResult(StatusCodes.Status413PayloadTooLarge);
        }
        using var body = new MemoryStream();
        var buffer = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            if (body.Length + read > mqtt.MaxReportBytes)
            {
                return tooLarge.ToResult(StatusCodes.Status413PayloadTooLarge);
            }
            body.Write(buffer, 0, read);
        }
        try
        {
            return Results.Json(await photos.ReadPlateAsync(body.ToArray(), cancellationToken));
        }
        catch (FrameDecodeException e) when (e.Code is FrameDecodeException.TooLarge or FrameDecodeException.DimensionsTooLarge)
        {
            return new OfficerError(OfficerError.PhotoTooLarge, e.Message).ToResult(StatusCodes.Status413PayloadTooLarge);
        }
        catch (FrameDecodeException e)
        {
            return new OfficerError(OfficerError.PhotoNotImage, e.Message).ToResult(StatusCodes.Status400BadRequest);
        }
    }

    /// <summary>
    /// A small copy of the task's evidence image <paramref name="index"/> (in the task's `evidence` order), the copy
    /// that may leave the site (redacted), for a PDA the task went to; recorded as `evidence-viewed` by that device.
    /// </summary>
    private static async Task<IResult> EvidenceThumbnailAsync(
        string taskId, int index, HttpContext context, TaskRecipients recipients, ViolationStore violations, FileStore files,
        AuditLog audit, CancellationToken cancellationToken)
    {
        var device = DeviceLogin.DeviceOf(context);
        var notYours = new OfficerError(OfficerError.NotYourTask, "no such task was sent to this device").ToResult(StatusCodes.Status404NotFound);
        if (OfficerTask.ViolationOf(taskId) is not { } violationId || !await recipients.WasSentToAsync(violationId, device, cancellationToken))
        {
            return notYours;
        }
        if (await violations.GetAsync(violationId, cancellationToken) is not { } stored)
        {
            return notYours;
        }
        var evidence = stored.Violation.Evidence;
        if (index < 0 || index >= evidence.Count || !files.Exists(evidence[index].SharedSha256))
        {
            return new OfficerError(OfficerError.NoSuchEvidence, $"the task has no evidence image {index}").ToResult(StatusCodes.Status404NotFound);
        }
        var sha = evidence[index].SharedSha256;
        var thumbnail = OfficerPhotos.Thumbnail(await files.ReadAsync(sha, cancellationToken));
        await audit.AppendAsync(AuditKinds.EvidenceViewed, new ExtractionPayload(violationId, [sha], device, ExtractionPayload.OfficerApp), cancellationToken);
        // The device keeps it instead of fetching (and recording) it again on every look at the task.
        context.Response.Headers.CacheControl = "private, max-age=86400, immutable";
        return Results.File(thumbnail, "image/jpeg");
    }
}
