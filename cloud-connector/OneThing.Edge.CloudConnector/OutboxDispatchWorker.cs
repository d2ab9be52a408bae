using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OneThing.Edge.Domain.Outbox;

namespace OneThing.Edge.CloudConnector;

/// <summary>
/// Sends new cases the moment they are committed (the store rings <see cref="OutboxSignal"/>), so confirmation to
/// SMS takes milliseconds; retries of failed messages are the sweep job's. At start it takes back what a crashed
/// run left in flight: this process is the outbox's only dispatcher.
/// </summary>
public sealed partial class OutboxDispatchWorker(IOutbox outbox, OutboxDispatcher dispatcher, OutboxSignal signal, ILogger<OutboxDispatchWorker> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var recovered = await outbox.RecoverInFlightAsync(stoppingToken);
        if (recovered > 0)
        {
            LogRecovered(recovered);
        }
        signal.MessagesEnqueued();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await signal.WaitAsync(stoppingToken);
                await dispatcher.DispatchDueAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                // e.g. the disk is full: keep the worker alive, the sweep job and the next case try again.
                LogPassFailed(e);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} messages were in flight when the gateway stopped; sending them again (the traffic system deduplicates)")]
    private partial void LogRecovered(int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox dispatch pass failed")]
    private partial void LogPassFailed(Exception exception);
}
