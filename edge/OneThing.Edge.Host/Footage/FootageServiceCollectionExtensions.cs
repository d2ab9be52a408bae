using Microsoft.Extensions.Options;
using OneThing.Edge.Domain.Configuration;

namespace OneThing.Edge.Host.Footage;

public static class FootageServiceCollectionExtensions
{
    /// <summary>Each camera's reduced frames under `{DataDirectory}/footage`, kept by a recorder analysis feeds without waiting.</summary>
    public static IServiceCollection AddFootage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<FootageOptions>().Bind(configuration.GetSection(FootageOptions.Section))
            .Validate(o => o.IntervalSeconds >= 0, $"{FootageOptions.Section}:IntervalSeconds must not be negative")
            .Validate(o => o.MaxSide is >= 64 and <= 8192, $"{FootageOptions.Section}:MaxSide must be 64-8192")
            .Validate(o => o.JpegQuality is >= 10 and <= 100, $"{FootageOptions.Section}:JpegQuality must be 10-100")
            .Validate(o => o.WindowDays > 0, $"{FootageOptions.Section}:WindowDays must be positive")
            .Validate(o => o.MaxBytesPerCamera > 0, $"{FootageOptions.Section}:MaxBytesPerCamera must be positive")
            .Validate(o => o.CaseMarginSeconds >= 0, $"{FootageOptions.Section}:CaseMarginSeconds must not be negative")
            .Validate(o => o.QueueCapacity > 0, $"{FootageOptions.Section}:QueueCapacity must be positive")
            .ValidateOnStart();
        services.AddSingleton(sp => new FootageStore(Path.Combine(Path.GetFullPath(sp.GetRequiredService<IOptions<SiteOptions>>().Value.DataDirectory), "footage")));
        services.AddSingleton<FootageExport>();
        services.AddSingleton<FootageRecorder>();
        services.AddHostedService(sp => sp.GetRequiredService<FootageRecorder>());
        return services;
    }
}
