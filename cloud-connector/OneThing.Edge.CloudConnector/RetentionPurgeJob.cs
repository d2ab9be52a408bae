using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OneThing.Edge.Domain.Outbox;
using Quartz;

namespace OneThing.Edge.CloudConnector;

/// <summary>Deletes delivered messages and finished cases (with their evidence files) older than the retention period.</summary>
[DisallowConcurrentExecution]
public sealed partial class RetentionPurgeJob(IRetentionPurge purge, IOptions<RetentionOptions> options, TimeProvider time, ILogger<RetentionPurgeJob> logger) : IJob
{
    public static readonly JobKey Key = new("retention-purge", "cloud-connector");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var result = await purge.PurgeAsync(time.GetUtcNow() - options.Value.Period, cancellationToken);
        LogPurged(result.Violations, result.EvidenceFiles, result.OutboxMessages, options.Value.Period);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention: deleted {Violations} finished cases, {Files} evidence files and {Messages} delivered messages older than {Period}")]
    private partial void LogPurged(int violations, int files, int messages, TimeSpan period);
}
