using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OneThing.Edge.Domain.Engine;

namespace OneThing.Edge.Host.Configuration;

public static class EngineOptionsSetup
{
    /// <summary>`OneThing:Engine`, with the tracker under `OneThing:Engine:Tracker`.</summary>
    public const string Section = "OneThing:Engine";

    /// <summary>
    /// Binds <see cref="ViolationEngineOptions"/> (the Domain has no configuration dependency, so it is bound here)
    /// and checks it at start, so a bad threshold stops the gateway with exit code 2 instead of skewing every case.
    /// The pipeline reads <c>IOptionsMonitor&lt;ViolationEngineOptions&gt;.CurrentValue</c> when it creates a camera's engine.
    /// </summary>
    public static IServiceCollection AddEngineOptions(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        // The reflection binder sets the records' init-only properties, nested Tracker included; NewCaseId is for tests.
        services.AddOptions<ViolationEngineOptions>().Bind(configuration.GetSection(Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ViolationEngineOptions>, EngineOptionsValidation>());
        return services;
    }
}
