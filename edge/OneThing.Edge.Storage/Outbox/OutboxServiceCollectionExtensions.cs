using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OneThing.Edge.Domain.Outbox;
using OneThing.Edge.Storage.Violations;

namespace OneThing.Edge.Storage.Outbox;

public static class OutboxServiceCollectionExtensions
{
    /// <summary>
    /// Registers the violation store, the SQLite outbox, evidence reading and retention. Expects
    /// <see cref="SqliteDatabase"/> and <see cref="FileStore"/> to be registered by the storage setup.
    /// </summary>
    public static IServiceCollection AddViolationOutbox(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<OutboxOptions>().Bind(configuration.GetSection(OutboxOptions.Section))
            .Validate(o => o.Lease > TimeSpan.Zero, $"{OutboxOptions.Section}:Lease must be positive.")
            .Validate(o => o.RetryBaseDelay > TimeSpan.Zero, $"{OutboxOptions.Section}:RetryBaseDelay must be positive.")
            .Validate(o => o.RetryMaxDelay >= o.RetryBaseDelay, $"{OutboxOptions.Section}:RetryMaxDelay must be at least RetryBaseDelay.")
            .Validate(o => o.MaxAge > TimeSpan.Zero, $"{OutboxOptions.Section}:MaxAge must be positive.")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ViolationStore>();
        services.TryAddSingleton<IOutbox, SqliteOutbox>();
        services.TryAddSingleton<IEvidenceContent, EvidenceFiles>();
        services.TryAddSingleton<IRetentionPurge, ViolationRetention>();
        return services;
    }
}
