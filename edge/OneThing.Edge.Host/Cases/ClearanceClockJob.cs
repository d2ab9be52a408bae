using Quartz;

namespace OneThing.Edge.Host.Cases;

/// <summary>
/// Advances the clearance deadlines on the wall clock: frames advance it only while a camera sends, and a case whose
/// camera broke or was unplugged must still reach an officer. Not scheduled in `replay`, which runs on capture time.
/// </summary>
[DisallowConcurrentExecution]
public sealed class ClearanceClockJob(CaseService cases) : IJob
{
    public static readonly JobKey Key = new("clearance-clock", "gateway");

    /// <summary>How late after its deadline a case of a silent camera is escalated, at most.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(15);

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        await cases.TickWallClockAsync(cancellationToken);
}
