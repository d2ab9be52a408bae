using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OneThing.Edge.Domain.Outbox;
using Quartz;

namespace OneThing.Edge.CloudConnector;

/// <summary>
/// Deletes delivered messages, finished cases (with their evidence files), officer reports and rejected payloads
/// older than the retention period: every <see cref="IRetentionPurge"/>, in registration order.
/// </summary>
[DisallowConcurrentExecution]
public sealed partial class RetentionPurgeJob(IEnumerable<IRetentionPurge> purges, IOptions<RetentionOptions> options, TimeProvider time, ILogger<RetentionPurgeJob> logger) : IJob
{
    public static readonly JobKey Key = new("retention-purge", "cloud-connector");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var olderThan = time.GetUtcNow() - options.Value.Period;
        var results = new List<RetentionResult>();
        foreach (var purge in purges)
        {
            results.Add(await purge.PurgeAsync(olderThan, cancellationToken));
        }
        LogPurged(results.Sum(r => r.Violations), results.Sum(r => r.Reports), results.Sum(r => r.Rejections), results.Sum(r => r.EvidenceFiles), results.Sum(r => r.OutboxMessages), options.Value.Period);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention: deleted {Violations} finished cases, {Reports} officer reports, {Rejections} rejected payloads, {Files} files and {Messages} delivered messages older than {Period}")]
    private partial void LogPurged(int violations, int reports, int rejections, int files, int messages, TimeSpan period);
}
