using Microsoft.Extensions.Options;
using OneThing.Edge.Domain.Configuration;
using Quartz;

namespace OneThing.Edge.Host.OperatorConsole;

public static class ConsoleServiceCollectionExtensions
{
    /// <summary>
    /// The operator console: sign-in, lane overrides layered over the site configuration (reloaded on change) and the
    /// lane risk job; its case views read storage's CaseQueries.
    /// </summary>
    public static IServiceCollection AddConsole(this IServiceCollection services, ConfigurationManager configuration)
    {
        var dataDirectory = Path.GetFullPath(configuration[$"{SiteOptions.Section}:DataDirectory"] ?? "data");
        Directory.CreateDirectory(dataDirectory);
        var overrides = new LaneOverrides(configuration, Path.Combine(dataDirectory, LaneOverrides.FileName));
        // Last source, so the console's lanes win over appsettings and --config files.
        // No file watcher: only the console writes this file and it reloads at once; a watcher's late reload of an
        // earlier save could otherwise briefly bring back a lane the operator had just removed.
        configuration.AddJsonFile(overrides.Path, optional: true, reloadOnChange: false);
        services.AddSingleton(overrides);
        services.AddSingleton<IPostConfigureOptions<SiteOptions>>(overrides);

        services.AddOptions<ConsoleOptions>().Bind(configuration.GetSection(ConsoleOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ConsoleOptions>, ConsoleOptionsValidation>();
        services.AddSingleton<LoginThrottle>();
        services.AddOptions<RiskOptions>().Bind(configuration.GetSection(RiskOptions.Section));
        services.AddSingleton<OperatorSessions>();
        services.AddSingleton<OperatorRequired>();
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
