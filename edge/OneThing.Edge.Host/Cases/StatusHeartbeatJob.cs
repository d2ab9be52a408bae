using OneThing.Edge.Messaging.Transport;
using Quartz;

namespace OneThing.Edge.Host.Cases;

/// <summary>Refreshes the retained `gateway/status` with current counters, so a dashboard sees a live gateway.</summary>
[DisallowConcurrentExecution]
public sealed class StatusHeartbeatJob(IGatewayBus bus, GatewayStatus status) : IJob
{
    public static readonly JobKey Key = new("status-heartbeat", "gateway");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        if (bus.IsConnected)
        {
            await bus.PublishAsync(status.Topic, status.Online(), retain: true, cancellationToken);
        }
    }
}
