using Quartz;

namespace OneThing.Edge.CloudConnector;

/// <summary>Retries what is due: failed messages whose back-off is over and in-flight ones whose lease ran out.</summary>
[DisallowConcurrentExecution]
public sealed class OutboxSweepJob(OutboxDispatcher dispatcher) : IJob
{
    public static readonly JobKey Key = new("outbox-sweep", "cloud-connector");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) => await dispatcher.DispatchDueAsync(cancellationToken);
}
