using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OneThing.Edge.Domain;
using OneThing.Edge.Domain.Audit;
using OneThing.Edge.Domain.Faults;
using OneThing.Edge.Domain.Outbox;
using OneThing.Edge.Domain.Violations;
using Refit;

namespace OneThing.Edge.CloudConnector;

/// <summary>What became of one delivery attempt.</summary>
internal enum DeliveryOutcome { Sent, RetryLater, DeadLettered }

/// <summary>
/// Delivers due outbox messages to the traffic system: claims a batch, sends messages of different violations in
/// parallel (one violation's messages stay in order because only its first unsent one is ever due), and records
/// each outcome. The violation id is the idempotency key, so a resend after a crash or timeout never texts twice.
/// </summary>
public sealed partial class OutboxDispatcher(
    IOutbox outbox,
    ITrafficSystemApi api,
    IEvidenceContent evidence,
    IEnumerable<ICaseDeliveryListener> listeners,
    IOptions<TrafficSystemOptions> options,
    ILogger<OutboxDispatcher> logger)
{
    private readonly ICaseDeliveryListener[] _listeners = [.. listeners];
    private readonly TrafficSystemOptions _options = options.Value;
    private volatile bool _failing;
    private int _passRunning;
    private int _passRequested;

    /// <summary>
    /// Sends everything due until nothing is left. Returns the number of messages delivered, or 0 at once when
    /// another pass is running (it will pick up what is due).
    /// </summary>
    public async Task<int> DispatchDueAsync(CancellationToken cancellationToken)
    {
        // A request that finds a pass running leaves a note, so that pass looks once more before it ends.
        Volatile.Write(ref _passRequested, 1);
        if (Interlocked.CompareExchange(ref _passRunning, 1, 0) != 0)
        {
            return 0;
        }
        try
        {
            var delivered = 0;
            bool blocked;
            do
            {
                Volatile.Write(ref _passRequested, 0);
                (var sent, blocked) = await DrainAsync(cancellationToken);
                delivered += sent;
            }
            while (!blocked && Volatile.Read(ref _passRequested) == 1);
            return delivered;
        }
        catch (StorageFullException full)
        {
            // Claims and outcomes cannot be written, so nothing is sent until space is freed; the sweep tries again.
            // A message sent but not marked stays in flight and goes again after its lease (the key deduplicates).
            LogStorageFull(full.Message);
            return 0;
        }
        finally
        {
            Volatile.Write(ref _passRunning, 0);
        }
    }

    /// <summary>Claims and sends batches until none is due; stops early when nothing gets through.</summary>
    private async Task<(int Delivered, bool Blocked)> DrainAsync(CancellationToken cancellationToken)
    {
        var delivered = 0;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = _options.MaxConcurrency, CancellationToken = cancellationToken };
        while (await outbox.ClaimDueAsync(_options.BatchSize, cancellationToken) is { Count: > 0 } batch)
        {
            var accepted = new System.Collections.Concurrent.ConcurrentQueue<(OutboxMessage Message, CaseReceipt? Receipt)>();
            var retry = 0;
            await Parallel.ForEachAsync(batch, parallel, async (message, ct) =>
            {
                var (outcome, receipt) = await SendAsync(message, ct);
                if (outcome == DeliveryOutcome.Sent)
                {
                    accepted.Enqueue((message, receipt));
                }
                else if (outcome == DeliveryOutcome.RetryLater)
                {
                    Interlocked.Increment(ref retry);
                }
            });
            // One transaction for the whole batch: a crash before it only means resending, which the key makes harmless.
            if (!accepted.IsEmpty)
            {
                CrashPoint.Reached(CrashPoint.DeliveryAnswered);
                await outbox.MarkSentAsync([.. accepted.Select(a => new Delivery(a.Message.Id, a.Receipt))], cancellationToken);
            }
            foreach (var (message, receipt) in accepted)
            {
                await AnnounceAsync(message, receipt, cancellationToken);
            }
            var sent = accepted.Count;
            delivered += sent;
            if (sent > 0 && _failing)
            {
                // The traffic system is back: what piled up during the outage goes now, not after its back-off.
                _failing = false;
                LogRecovered(await outbox.ExpediteFailedAsync(cancellationToken));
            }
            if (retry > 0)
            {
                _failing = true;
                if (sent == 0)
                {
                    // Nothing gets through; the sweep job retries when the back-off is over.
                    return (delivered, true);
                }
            }
        }
        return (delivered, false);
    }

    /// <summary>Sends one claimed message; a failure is recorded at once, an acceptance by the caller with its batch.</summary>
    private async Task<(DeliveryOutcome Outcome, CaseReceipt? Receipt)> SendAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        try
        {
            return (DeliveryOutcome.Sent, await CallAsync(message, cancellationToken));
        }
        catch (ApiException e) when (e.StatusCode == HttpStatusCode.Conflict)
        {
            // The traffic system already has it: as good as delivered.
            return (DeliveryOutcome.Sent, null);
        }
        catch (ApiException e) when (DeliveryFailure.IsPermanent(e.StatusCode))
        {
            return (await DeadLetterAsync(message, $"{(int)e.StatusCode} {e.StatusCode}: {DeliveryFailure.Describe(e)}", cancellationToken), null);
        }
        catch (ApiException e)
        {
            return (await RetryLaterAsync(message, $"{(int)e.StatusCode} {e.StatusCode}: {DeliveryFailure.Describe(e)}", cancellationToken), null);
        }
        catch (Exception e) when (e is JsonException or FileNotFoundException or DirectoryNotFoundException)
        {
            // A broken payload or a lost evidence file does not heal by retrying.
            return (await DeadLetterAsync(message, $"{e.GetType().Name}: {e.Message}", cancellationToken), null);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Refused or reset connections (Refit's ApiRequestException), timeouts, an open circuit, or anything
            // unforeseen: try again later rather than leave the message in flight until its lease runs out.
            return (await RetryLaterAsync(message, DeliveryFailure.Describe(e), cancellationToken), null);
        }
    }

    private async Task AnnounceAsync(OutboxMessage message, CaseReceipt? receipt, CancellationToken cancellationToken)
    {
        LogSent(message.Kind, message.ViolationId, message.Attempts, receipt?.CaseId);
        if (message.Kind != OutboxKinds.Violation)
        {
            return;
        }
        await TellListenersAsync(l => l.DeliveredAsync(message.ViolationId, receipt ?? new CaseReceipt(null, null, null), cancellationToken));
    }

    private async Task<CaseReceipt?> CallAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        switch (message.Kind)
        {
            case OutboxKinds.Violation:
                var violation = OutboxPayload.Deserialize<Violation>(message.Payload);
                var response = await api.SubmitViolationAsync(violation.Id.ToString(), ViolationCaseRequest.From(violation), cancellationToken);
                return response.ToReceipt();
            case OutboxKinds.Evidence:
                var item = OutboxPayload.Deserialize<EvidenceItem>(message.Payload);
                // The redacted copy when there is one: the original never leaves the site.
                var bytes = await evidence.ReadAsync(item.SharedSha256, cancellationToken);
                // Byte-array content can be sent again by the retry strategy; a stream could not.
                using (var content = new ByteArrayContent(bytes))
                {
                    content.Headers.ContentType = MediaTypeHeaderValue.Parse(item.ContentType);
                    await api.UploadEvidenceAsync(message.ViolationId, item.SharedSha256, content, cancellationToken);
                }
                return null;
            case OutboxKinds.Clearance:
                var clearance = OutboxPayload.Deserialize<Clearance>(message.Payload);
                await api.ReportClearanceAsync(message.ViolationId, ClearanceRequest.IdempotencyKey(message.ViolationId), ClearanceRequest.From(clearance), cancellationToken);
                return null;
            case OutboxKinds.AuditAnchor:
                await api.AnchorAuditAsync(AuditAnchorRequest.From(OutboxPayload.Deserialize<AuditAnchor>(message.Payload)), cancellationToken);
                return null;
            default:
                throw new JsonException($"Unknown outbox message kind '{message.Kind}'.");
        }
    }

    private async Task<DeliveryOutcome> RetryLaterAsync(OutboxMessage message, string error, CancellationToken cancellationToken)
    {
        var state = await outbox.MarkFailedAsync(message.Id, error, cancellationToken);
        if (state == OutboxState.DeadLettered)
        {
            LogDeadLettered(message.Kind, message.ViolationId, error);
            await TellDeadLetteredAsync(message, error, cancellationToken);
            return DeliveryOutcome.DeadLettered;
        }
        LogRetry(message.Kind, message.ViolationId, message.Attempts, error);
        return DeliveryOutcome.RetryLater;
    }

    private async Task<DeliveryOutcome> DeadLetterAsync(OutboxMessage message, string reason, CancellationToken cancellationToken)
    {
        await outbox.DeadLetterAsync(message.Id, reason, cancellationToken);
        LogDeadLettered(message.Kind, message.ViolationId, reason);
        await TellDeadLetteredAsync(message, reason, cancellationToken);
        return DeliveryOutcome.DeadLettered;
    }

    /// <summary>Listeners hear about cases; an audit anchor belongs to none (its dead letter is logged and listed for operators).</summary>
    private Task TellDeadLetteredAsync(OutboxMessage message, string reason, CancellationToken cancellationToken) =>
        message.Kind == OutboxKinds.AuditAnchor
            ? Task.CompletedTask
            : TellListenersAsync(l => l.DeadLetteredAsync(message.ViolationId, message.Kind, reason, cancellationToken));

    private async Task TellListenersAsync(Func<ICaseDeliveryListener, Task> notify)
    {
        foreach (var listener in _listeners)
        {
            try
            {
                await notify(listener);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Delivery is recorded; a failing listener (e.g. MQTT down) must not undo or repeat it.
                LogListenerFailed(listener.GetType().Name, e);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox not dispatched: {Reason}")]
    private partial void LogStorageFull(string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Delivered {Kind} of violation {ViolationId} (attempt {Attempt}), case {CaseId}")]
    private partial void LogSent(string kind, Guid violationId, int attempt, string? caseId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Will retry {Kind} of violation {ViolationId} after attempt {Attempt}: {Error}")]
    private partial void LogRetry(string kind, Guid violationId, int attempt, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Dead-lettered {Kind} of violation {ViolationId}: {Reason}")]
    private partial void LogDeadLettered(string kind, Guid violationId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Traffic system reachable again; {Count} waiting messages made due now")]
    private partial void LogRecovered(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivery listener {Listener} failed")]
    private partial void LogListenerFailed(string listener, Exception exception);
}
