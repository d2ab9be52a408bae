using Microsoft.Extensions.Options;
using OneThing.Edge.Domain.Cases;
using OneThing.Edge.Domain.Configuration;
using OneThing.Edge.Domain.Evidence;
using OneThing.Edge.Domain.Faults;
using OneThing.Edge.Domain.Plates;
using OneThing.Edge.Domain.Reports;
using OneThing.Edge.Domain.Violations;
using OneThing.Edge.Host.Cases;
using OneThing.Edge.Messaging.Contracts;
using OneThing.Edge.Storage.Cases;
using OneThing.Edge.Storage.Reports;
using OneThing.Edge.Storage.Violations;
using OneThing.Edge.Vision;

namespace OneThing.Edge.Host.Pipeline;

/// <summary>`OneThing:Fusion`: how far back an officer's report may match a camera case of the same plate and lane.</summary>
public sealed class FusionOptions
{
    public const string Section = "OneThing:Fusion";

    public double MergeWindowMinutes { get; set; } = 120;
}

/// <summary>
/// Accepted officer reports: an answer to the task of an escalated case tickets it; a report of a car that an open
/// case already covers is merged into it (its photos become evidence, no second notice); anything else becomes a PDA
/// case of its own and is forwarded.
/// </summary>
public sealed partial class PdaCaseFusion(
    CaseRecorder recorder,
    CaseService cases,
    ViolationStore violations,
    PdaReportStore reports,
    TaskAnswers taskAnswers,
    OfficerPhotoRedactor photoRedactor,
    IOptionsMonitor<SiteOptions> site,
    IOptionsMonitor<FusionOptions> options,
    ILogger<PdaCaseFusion> logger) : IPdaReportSink
{
    /// <summary>Lane id of a report that gives only a location.</summary>
    public const string OffLane = "off-lane";

    public ValueTask<string?> TaskRefusalAsync(PdaReport report, CancellationToken cancellationToken) =>
        taskAnswers.RefusalAsync(report, cancellationToken);

    public async ValueTask AcceptedAsync(PdaReport report, CancellationToken cancellationToken)
    {
        var laneId = report.LaneId ?? OffLane;
        // The report id is a PDA case's id: after a crash between recording that case and linking the report,
        // the redelivered report only needs the link (not its photos merged into its own case again).
        var violationId = Guid.Parse(report.ReportId);
        if (await violations.GetAsync(violationId, cancellationToken) is not null)
        {
            await reports.LinkViolationAsync(report.ReportId, violationId, cancellationToken);
            return;
        }
        var photos = await StorePhotosAsync(report, laneId, cancellationToken);

        // Intake let a task answer in only for an escalated case; should the car have left since, it is an ordinary report.
        if (OfficerTask.ViolationOf(report.TaskId) is { } tasked
            && await violations.GetAsync(tasked, cancellationToken) is { State: CaseState.Escalated })
        {
            await cases.MergeAsync(tasked, photos, report.ReportId, cancellationToken);
            await reports.LinkViolationAsync(report.ReportId, tasked, cancellationToken);
            await cases.TicketAsync(tasked, report.ObservedAt, cancellationToken);
            LogTicketed(report.ReportId, tasked);
            return;
        }

        var since = report.ObservedAt - TimeSpan.FromMinutes(options.CurrentValue.MergeWindowMinutes);
        if (await violations.FindOpenAsync(report.Plate, laneId, since, cancellationToken) is { } open)
        {
            await cases.MergeAsync(open.Violation.Id, photos, report.ReportId, cancellationToken);
            await reports.LinkViolationAsync(report.ReportId, open.Violation.Id, cancellationToken);
            LogMerged(report.ReportId, open.Violation.Id, PlateMask.ForLog(report.Plate, logger.IsEnabled(LogLevel.Debug)));
            return;
        }

        var violation = new Violation(
            violationId, site.CurrentValue.SiteId, laneId, ViolationSource.Pda, null, report.DeviceId, report.OfficerId, report.Plate, 1.0,
            report.ObservedAt, report.ReceivedAt, [.. photos.Select(p => p.ToEvidenceItem())]);
        if (await cases.ConfirmAsync(violation, new EvidenceManifest(violationId, photos), cancellationToken))
        {
            CrashPoint.Reached(CrashPoint.PdaCaseRecorded);
            await reports.LinkViolationAsync(report.ReportId, violationId, cancellationToken);
            LogPdaCase(report.ReportId, violationId, PlateMask.ForLog(report.Plate, logger.IsEnabled(LogLevel.Debug)));
        }
    }

    private async Task<List<EvidenceManifestItem>> StorePhotosAsync(PdaReport report, string laneId, CancellationToken cancellationToken)
    {
        var items = new List<EvidenceManifestItem>();
        foreach (var photo in report.Photos)
        {
            // The traffic system gets the copy with bystanders and other cars' plates pixelated, as with camera evidence.
            var shared = photoRedactor.Redact(photo.Data, photo.ContentType, report.Plate);
            items.Add(await recorder.StoreEvidenceAsync(EvidenceKinds.PdaPhoto, photo.Data, shared, report.ObservedAt, photo.ContentType, null, laneId, null, cancellationToken));
        }
        return items;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Report {ReportId} answers the task of case {ViolationId}: ticketed")]
    private partial void LogTicketed(string reportId, Guid violationId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Report {ReportId} merged into open case {ViolationId} ({Plate}); no second notice")]
    private partial void LogMerged(string reportId, Guid violationId, string plate);

    [LoggerMessage(Level = LogLevel.Information, Message = "Report {ReportId} became PDA case {ViolationId} ({Plate})")]
    private partial void LogPdaCase(string reportId, Guid violationId, string plate);
}
