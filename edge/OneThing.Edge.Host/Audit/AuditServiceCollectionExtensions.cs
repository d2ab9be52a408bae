using Quartz;

namespace OneThing.Edge.Host.Audit;

public static class AuditServiceCollectionExtensions
{
    /// <summary>The anchor job (<see cref="AuditAnchorJob"/>) with its options; the audit log itself is storage's.</summary>
    public static IServiceCollection AddAuditAnchoring(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AuditOptions>().Bind(configuration.GetSection(AuditOptions.Section))
            .Validate(o => o.AnchorEveryEntries > 0, $"{AuditOptions.Section}:AnchorEveryEntries must be positive")
            .Validate(o => o.AnchorInterval > TimeSpan.Zero, $"{AuditOptions.Section}:AnchorInterval must be positive")
            .ValidateOnStart();
        var check = (configuration.GetSection(AuditOptions.Section).Get<AuditOptions>() ?? new AuditOptions()).CheckInterval;
        services.AddQuartz(quartz =>
        {
            quartz.AddJob<AuditAnchorJob>(job => job.WithIdentity(AuditAnchorJob.Key));
            quartz.AddTrigger(trigger => trigger.ForJob(AuditAnchorJob.Key).StartNow()
                .WithSimpleSchedule(s => s.WithInterval(check).RepeatForever()));
        });
        return services;
    }
}
