using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace OneThing.Edge.Messaging.Pda;

/// <summary>
/// PDA reports handed over by the MQTT transport, taken in by one worker. MQTT handlers only hand over, so a report
/// that waits for storage (database locked, disk full) never holds up camera frames. The queue is bounded
/// (`Mqtt:ReportQueueCapacity`) and never drops a report: when it is full, the handing-over side waits. That is its
/// only backpressure.
/// </summary>
public sealed partial class PdaReportQueue : BackgroundService
{
    public static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(500);
    public static readonly TimeSpan MaxRetry = TimeSpan.FromSeconds(30);

    private readonly Channel<QueuedReport> _queue;
    private readonly PdaIntake _intake;
    private readonly TimeProvider _time;
    private readonly ILogger<PdaReportQueue> _logger;

    public PdaReportQueue(PdaIntake intake, MqttOptions options, TimeProvider time, ILogger<PdaReportQueue> logger)
    {
        _intake = intake;
        _time = time;
        _logger = logger;
        _queue = Channel.CreateBounded<QueuedReport>(new BoundedChannelOptions(options.ReportQueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
    }

    /// <summary>
    /// Embedded broker: one intake attempt, whose outcome sets the PUBACK. Not retried here: a PDA told `not-stored`
    /// resends the report itself.
    /// </summary>
    public async Task<IntakeOutcome> IntakeOnceAsync(string deviceId, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        var outcome = new TaskCompletionSource<IntakeOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        await _queue.Writer.WriteAsync(new QueuedReport(deviceId, payload, outcome, Acknowledge: null), cancellationToken);
        return await outcome.Task.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// External broker: returns once the report is queued. It is retried until committed, then
    /// <paramref name="acknowledge"/> runs; until then the broker keeps it in the gateway's session.
    /// </summary>
    public ValueTask HandOverAsync(string deviceId, ReadOnlyMemory<byte> payload, Func<CancellationToken, Task> acknowledge, CancellationToken cancellationToken) =>
        _queue.Writer.WriteAsync(new QueuedReport(deviceId, payload, Outcome: null, acknowledge), cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var report in _queue.Reader.ReadAllAsync(stoppingToken))
            {
                await IntakeAsync(report, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            // Left at shutdown: unacknowledged, so the PDA resends or the broker redelivers them.
            while (_queue.Reader.TryRead(out var left))
            {
                left.Outcome?.TrySetCanceled(stoppingToken);
            }
        }
    }

    private async Task IntakeAsync(QueuedReport report, CancellationToken cancellationToken)
    {
        try
        {
            var outcome = await _intake.HandleAsync(report.DeviceId, report.Payload, cancellationToken);
            if (report.Outcome is { } first)
            {
                first.TrySetResult(outcome);
                return;
            }
            for (var delay = FirstRetry; outcome != IntakeOutcome.Committed; delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetry.Ticks)))
            {
                await Task.Delay(delay, _time, cancellationToken);
                outcome = await _intake.HandleAsync(report.DeviceId, report.Payload, cancellationToken);
            }
            await report.Acknowledge!(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            report.Outcome?.TrySetCanceled(cancellationToken);
            throw;
        }
        catch (Exception e)
        {
            // The worker must outlive one report; an unacknowledged report comes again.
            report.Outcome?.TrySetException(e);
            LogNotAcknowledged(e, report.DeviceId);
        }
    }

    /// <param name="Outcome">Set for the embedded broker: its PUBACK waits for the first attempt.</param>
    /// <param name="Acknowledge">Set for an external broker: called after the commit.</param>
    private sealed record QueuedReport(
        string DeviceId, ReadOnlyMemory<byte> Payload, TaskCompletionSource<IntakeOutcome>? Outcome, Func<CancellationToken, Task>? Acknowledge);

    [LoggerMessage(Level = LogLevel.Warning, Message = "PDA report from {DeviceId} not acknowledged; it comes again and is stored once")]
    private partial void LogNotAcknowledged(Exception exception, string deviceId);
}
