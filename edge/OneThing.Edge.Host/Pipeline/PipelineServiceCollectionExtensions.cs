using Microsoft.Extensions.Options;
using OneThing.Edge.Host.Configuration;
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
    /// The gateway's own loop: vision models, the frame path's stages (analysis -> recording queue -> recording), the
    /// case service with its events, officer tasks and clearance deadlines, and PDA case fusion. Evidence captions need
    /// the CJK font of <c>OneThing:Evidence:FontPath</c>: checked at start.
    /// </summary>
    public static IServiceCollection AddPipeline(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddVision(configuration);
        services.AddOptions<PipelineOptions>().Bind(configuration.GetSection(PipelineOptions.Section))
            .Validate(o => o.RecordingQueueCapacity > 0, $"{PipelineOptions.Section}:RecordingQueueCapacity must be positive")
            .ValidateOnStart();
        services.AddEngineOptions(configuration);
        services.AddOptions<FusionOptions>().Bind(configuration.GetSection(FusionOptions.Section));
        services.AddOptions<ClearanceOptions>().Bind(configuration.GetSection(ClearanceOptions.Section))
            .Validate(o => o.WatchMinutes > 0, $"{ClearanceOptions.Section}:WatchMinutes must be positive")
            .ValidateOnStart();
        services.AddSingleton<CaseEvents>();
        services.AddSingleton<OfficerTasks>();
        services.AddSingleton<TaskAnswers>();
        services.AddSingleton<CaseService>();
        services.AddSingleton<ICaseDeliveryListener>(sp => sp.GetRequiredService<CaseService>());
        services.AddHostedService(sp => sp.GetRequiredService<CaseService>());
        services.AddOptions<EvidenceOptions>().Bind(configuration.GetSection(EvidenceOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<EvidenceOptions>, EvidenceOptionsValidator>();
        services.AddSingleton(sp => CaptionFont.Load(sp.GetRequiredService<IOptions<EvidenceOptions>>().Value.FontPath));
        services.AddSingleton<EvidenceRedactor>();
        services.AddSingleton<OfficerPhotoRedactor>();
        services.AddSingleton<EvidenceRenderer>();
        services.AddSingleton<RecordingQueue>();
        services.AddSingleton<FrameAnalyser>();
        services.AddSingleton<IFrameSink>(sp => sp.GetRequiredService<FrameAnalyser>());
        services.AddSingleton<CaseRecording>();
        services.AddHostedService(sp => sp.GetRequiredService<CaseRecording>());
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
