using OneThing.Edge.Domain.Frames;
using OneThing.Edge.Domain.Outbox;
using OneThing.Edge.Domain.Reports;
using OneThing.Edge.Host.Cases;
using OneThing.Edge.Vision;
using Quartz;

namespace OneThing.Edge.Host.Pipeline;

public static class PipelineServiceCollectionExtensions
{
    /// <summary>
    /// The gateway's own loop: vision models, the frame pipeline (decode, detect, lanes, dwell, evidence), PDA case
    /// fusion, lifecycle events and the clearance watcher.
    /// </summary>
    public static IServiceCollection AddPipeline(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddVision(configuration);
        services.AddOptions<PipelineOptions>().Bind(configuration.GetSection(PipelineOptions.Section));
        services.AddOptions<FusionOptions>().Bind(configuration.GetSection(FusionOptions.Section));
        services.AddOptions<ClearanceOptions>().Bind(configuration.GetSection(ClearanceOptions.Section))
            .Validate(o => o.WatchMinutes > 0, $"{ClearanceOptions.Section}:WatchMinutes must be positive")
            .ValidateOnStart();
        services.AddSingleton<ViolationEvents>();
        services.AddSingleton<ClearanceWatcher>();
        services.AddSingleton<IViolationLifecycle>(sp => sp.GetRequiredService<ClearanceWatcher>());
        services.AddHostedService(sp => sp.GetRequiredService<ClearanceWatcher>());
        services.AddSingleton<FramePipeline>();
        services.AddSingleton<IFrameSink>(sp => sp.GetRequiredService<FramePipeline>());
        services.AddSingleton<IPdaReportSink, PdaCaseFusion>();
        services.AddQuartz(quartz =>
        {
            quartz.AddJob<StatusHeartbeatJob>(job => job.WithIdentity(StatusHeartbeatJob.Key));
            quartz.AddTrigger(trigger => trigger.ForJob(StatusHeartbeatJob.Key).StartAt(DateTimeOffset.UtcNow.AddSeconds(30))
                .WithSimpleSchedule(s => s.WithInterval(TimeSpan.FromSeconds(30)).RepeatForever()));
            quartz.AddJob<ClearanceClockJob>(job => job.WithIdentity(ClearanceClockJob.Key));
            quartz.AddTrigger(trigger => trigger.ForJob(ClearanceClockJob.Key).StartNow()
                .WithSimpleSchedule(s => s.WithInterval(ClearanceClockJob.Interval).RepeatForever()));
        });
        return services;
    }
}
