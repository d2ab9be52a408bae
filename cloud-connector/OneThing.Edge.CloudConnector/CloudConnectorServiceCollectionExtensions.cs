using System.Net.Http.Headers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using OneThing.Edge.Domain.Outbox;
using Quartz;
using Refit;

namespace OneThing.Edge.CloudConnector;

public static class CloudConnectorServiceCollectionExtensions
{
    /// <summary>
    /// Registers the traffic-system client (Refit, bearer token, standard resilience), the outbox dispatcher with its
    /// instant wake-up worker, and the Quartz jobs <see cref="OutboxSweepJob"/> and <see cref="RetentionPurgeJob"/>.
    /// Needs an <see cref="IOutbox"/>, <see cref="IEvidenceContent"/> and <see cref="IRetentionPurge"/> (storage) and a
    /// running Quartz scheduler (<c>AddQuartzHostedService</c>, once, in the Host). Implement
    /// <see cref="ICaseDeliveryListener"/> to hear about delivered and dead-lettered cases.
    /// </summary>
    public static IServiceCollection AddCloudConnector(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TrafficSystemOptions>().Bind(configuration.GetSection(TrafficSystemOptions.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TrafficSystemOptions>, TrafficSystemOptionsValidator>());
        services.AddOptions<RetentionOptions>().Bind(configuration.GetSection(RetentionOptions.Section))
            .Validate(o => o.Period > TimeSpan.Zero, $"{RetentionOptions.Section}:Period must be positive.")
            .Validate(o => o.Interval > TimeSpan.Zero, $"{RetentionOptions.Section}:Interval must be positive.")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);

        services.AddRefitGeneratedClient<ITrafficSystemApi>(TrafficSystemJson.Default)
            .ConfigureHttpClient((provider, client) =>
            {
                var options = provider.GetRequiredService<IOptions<TrafficSystemOptions>>().Value;
                client.BaseAddress = new Uri(options.BaseUrl!);
                client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", options.Token);
                // The resilience pipeline bounds every call; the client's own 100 s default would only mask it.
                client.Timeout = Timeout.InfiniteTimeSpan;
            })
            .AddStandardResilienceHandler()
            .Configure((resilience, provider) =>
            {
                var options = provider.GetRequiredService<IOptions<TrafficSystemOptions>>().Value;
                resilience.AttemptTimeout.Timeout = options.AttemptTimeout;
                resilience.TotalRequestTimeout.Timeout = options.TotalTimeout;
                resilience.Retry.MaxRetryAttempts = options.Retries;
                resilience.Retry.UseJitter = true;
                resilience.Retry.BackoffType = Polly.DelayBackoffType.Exponential;
                resilience.Retry.Delay = TimeSpan.FromMilliseconds(200);
                // POST and PUT stay retried (no DisableForUnsafeHttpMethods): every call carries the idempotency key.
                resilience.CircuitBreaker.SamplingDuration = Max(TimeSpan.FromSeconds(30), 2 * options.AttemptTimeout);
                resilience.CircuitBreaker.MinimumThroughput = 20;
                resilience.CircuitBreaker.FailureRatio = 0.5;
                resilience.CircuitBreaker.BreakDuration = TimeSpan.FromSeconds(5);
            });

        services.TryAddSingleton<OutboxSignal>();
        services.TryAddSingleton<IOutboxSignal>(provider => provider.GetRequiredService<OutboxSignal>());
        services.TryAddSingleton<OutboxDispatcher>();
        services.AddHostedService<OutboxDispatchWorker>();

        var sweep = configuration.GetSection(TrafficSystemOptions.Section).Get<TrafficSystemOptions>()?.SweepInterval ?? new TrafficSystemOptions().SweepInterval;
        var retention = configuration.GetSection(RetentionOptions.Section).Get<RetentionOptions>() ?? new RetentionOptions();
        services.AddQuartz(quartz =>
        {
            quartz.AddJob<OutboxSweepJob>(job => job.WithIdentity(OutboxSweepJob.Key));
            quartz.AddTrigger(trigger => trigger.ForJob(OutboxSweepJob.Key).StartNow()
                .WithSimpleSchedule(s => s.WithInterval(Positive(sweep)).RepeatForever()));
            if (retention.Enabled)
            {
                quartz.AddJob<RetentionPurgeJob>(job => job.WithIdentity(RetentionPurgeJob.Key));
                quartz.AddTrigger(trigger => trigger.ForJob(RetentionPurgeJob.Key).StartAt(DateTimeOffset.UtcNow.AddMinutes(1))
                    .WithSimpleSchedule(s => s.WithInterval(Positive(retention.Interval)).RepeatForever()));
            }
        });
        return services;
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    // Schedules must build even with a bad value; the options validation reports the key at start.
    private static TimeSpan Positive(TimeSpan interval) => interval > TimeSpan.Zero ? interval : TimeSpan.FromSeconds(1);
}
