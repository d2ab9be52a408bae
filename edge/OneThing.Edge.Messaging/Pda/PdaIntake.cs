using System.Text.Json;
using Microsoft.Extensions.Logging;
using OneThing.Edge.Domain;
using OneThing.Edge.Domain.Faults;
using OneThing.Edge.Domain.Reports;
using OneThing.Edge.Messaging.Transport;

namespace OneThing.Edge.Messaging.Pda;

/// <summary>What the transport must do with the MQTT message after intake.</summary>
public enum IntakeOutcome
{
    /// <summary>On disk (accepted, duplicate or a recorded rejection): acknowledge.</summary>
    Committed,

    /// <summary>Could not be written (e.g. database locked): do not acknowledge, so the sender or broker retries.</summary>
    NotStored,

    /// <summary>Not written because the data disk is full: as <see cref="NotStored"/>, and the sender is told why.</summary>
    StorageFull,

    /// <summary>Not taken in: the sender's role may not publish there (a report not from that PDA, a frame not from that camera).</summary>
    Refused,
}

/// <summary>
/// PDA report intake: validate, commit report and photos, then receipt; the caller acknowledges (PUBACK) only on
/// <see cref="IntakeOutcome.Committed"/>.
/// </summary>
public sealed partial class PdaIntake(
    PdaReportParser parser,
    IPdaReportStore store,
    IPdaReportSink sink,
    IGatewayBus bus,
    TopicContract topics,
    IngressCounters counters,
    TimeProvider time,
    ILogger<PdaIntake> logger)
{
    public async Task<IntakeOutcome> HandleAsync(string deviceId, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        Receipt receipt;
        PdaReport? accepted = null;
        try
        {
            var report = parser.Parse(deviceId, payload.Span);
            if (await sink.TaskRefusalAsync(report, cancellationToken) is { } refusal)
            {
                throw new PdaReportRejectedException(report.ReportId, RejectionCodes.NotYourTask, refusal);
            }
            var saved = await store.SaveAsync(report, cancellationToken);
            CrashPoint.Reached(CrashPoint.ReportCommitted);
            receipt = new Receipt(report.ReportId, saved.IsDuplicate ? ReceiptStatus.Duplicate : ReceiptStatus.Accepted, ViolationId: saved.ViolationId);
            // A duplicate without a case is a report whose fusion was cut short (crash before PUBACK): fuse it now.
            accepted = saved.IsDuplicate && saved.ViolationId is not null ? null : report;
            counters.Report(saved.IsDuplicate ? "duplicate" : "accepted");
        }
        catch (PdaReportRejectedException rejected)
        {
            try
            {
                await store.RecordRejectionAsync(deviceId, rejected.ReportId, rejected.Code, rejected.Message, payload, time.GetUtcNow(), cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return NotStored(e, deviceId);
            }
            receipt = Receipt.Rejected(rejected.ReportId, rejected.Code, rejected.Message);
            counters.Report("rejected:" + rejected.Code);
            LogRejected(deviceId, rejected.ReportId, rejected.Code, rejected.Message);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return NotStored(e, deviceId);
        }

        await SendReceiptAsync(deviceId, receipt, cancellationToken);
        if (accepted is not null)
        {
            LogAccepted(deviceId, accepted.ReportId, accepted.LaneId);
            try
            {
                await sink.AcceptedAsync(accepted, cancellationToken);
            }
            catch (StorageFullException full)
            {
                // The report is stored but its case is not. Without a PUBACK it comes again (the PDA resends, an
                // external broker redelivers), and a duplicate without a case is fused then.
                LogFusionWaiting(accepted.ReportId, full.Message);
                return IntakeOutcome.StorageFull;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The report is committed; case fusion can be redone from storage.
                LogFusionFailed(e, accepted.ReportId);
            }
        }
        return IntakeOutcome.Committed;
    }

    /// <summary>Nothing of the report was kept: no receipt, no PUBACK success, so it is sent again.</summary>
    private IntakeOutcome NotStored(Exception e, string deviceId)
    {
        if (e is StorageFullException full)
        {
            // The operator's problem, not a bug: one clear line, no stack trace.
            counters.Report("not-stored:" + StorageFullException.Code);
            LogStorageFull(deviceId, full.Message);
            return IntakeOutcome.StorageFull;
        }
        counters.Report("not-stored");
        LogNotStored(e, deviceId);
        return IntakeOutcome.NotStored;
    }

    private async Task SendReceiptAsync(string deviceId, Receipt receipt, CancellationToken cancellationToken)
    {
        try
        {
            await bus.PublishAsync(topics.Receipts(deviceId), JsonSerializer.SerializeToUtf8Bytes(receipt, PdaJson.Options), retain: false, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A lost receipt is recoverable: the PDA resends and gets `duplicate` with the same outcome.
            LogReceiptFailed(e, deviceId, receipt.ReportId);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "PDA report {ReportId} from {DeviceId} accepted (lane {LaneId})")]
    private partial void LogAccepted(string deviceId, string reportId, string? laneId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "PDA report {ReportId} from {DeviceId} rejected: {Code} {Reason}")]
    private partial void LogRejected(string deviceId, string? reportId, string code, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "PDA report from {DeviceId} could not be stored; not acknowledged, it will be redelivered")]
    private partial void LogNotStored(Exception exception, string deviceId);

    [LoggerMessage(Level = LogLevel.Error, Message = "PDA report from {DeviceId} not stored: {Reason}. Not acknowledged (storage-full), so it is sent again")]
    private partial void LogStorageFull(string deviceId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Receipt for report {ReportId} to {DeviceId} not sent")]
    private partial void LogReceiptFailed(Exception exception, string deviceId, string? reportId);

    [LoggerMessage(Level = LogLevel.Error, Message = "PDA report {ReportId} stored, but its case not: {Reason}. Not acknowledged (storage-full), so it comes again and is fused then")]
    private partial void LogFusionWaiting(string reportId, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Case fusion failed for report {ReportId}")]
    private partial void LogFusionFailed(Exception exception, string reportId);
}
