using Microsoft.Extensions.Options;
using OneThing.Edge.Domain.Configuration;
using Quartz;

namespace OneThing.Edge.Host.OperatorConsole;

public static class ConsoleServiceCollectionExtensions
{
    /// <summary>
    /// The operator console: sign-in, lane overrides layered over the site configuration (reloaded on change), case
    /// views and the lane risk job.
    /// </summary>
    public static IServiceCollection AddConsole(this IServiceCollection services, ConfigurationManager configuration)
    {
        var dataDirectory = Path.GetFullPath(configuration[$"{SiteOptions.Section}:DataDirectory"] ?? "data");
        Directory.CreateDirectory(dataDirectory);
        var overrides = new LaneOverrides(configuration, Path.Combine(dataDirectory, LaneOverrides.FileName));
        // Last source, so it wins; reloadOnChange also picks up a hand edit of the file.
        configuration.AddJsonFile(overrides.Path, optional: true, reloadOnChange: true);
        services.AddSingleton(overrides);
        services.AddSingleton<IPostConfigureOptions<SiteOptions>>(overrides);

        services.AddOptions<ConsoleOptions>().Bind(configuration.GetSection(ConsoleOptions.Section));
        services.AddOptions<RiskOptions>().Bind(configuration.GetSection(RiskOptions.Section));
        services.AddSingleton<OperatorSessions>();
        services.AddSingleton<OperatorRequired>();
        services.AddSingleton<CaseQueries>();
        services.AddSingleton<LaneRiskBoard>();

        var risk = configuration.GetSection(RiskOptions.Section).Get<RiskOptions>() ?? new RiskOptions();
        services.AddQuartz(quartz =>
        {
            quartz.AddJob<LaneRiskJob>(job => job.WithIdentity(LaneRiskJob.Key));
            quartz.AddTrigger(trigger => trigger.ForJob(LaneRiskJob.Key).StartNow()
                .WithSimpleSchedule(s => s.WithInterval(TimeSpan.FromSeconds(Math.Max(1, risk.IntervalSeconds))).RepeatForever()));
        });
        return services;
    }
}
