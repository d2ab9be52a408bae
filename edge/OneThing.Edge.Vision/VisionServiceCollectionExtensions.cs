using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OneThing.Edge.Domain.Reports;

namespace OneThing.Edge.Vision;

public static class VisionServiceCollectionExtensions
{
    /// <summary>
    /// Binds <c>OneThing:Vision</c> (models folder from <c>OneThing:Models:Directory</c>), validates it at start and
    /// registers the detectors, reader, decoder, annotator, the <see cref="VehicleVision"/> facade and the officers'
    /// photo check (<see cref="IImageProbe"/>) as singletons.
    /// </summary>
    public static IServiceCollection AddVision(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<VisionOptions>()
            .Bind(configuration.GetSection(VisionOptions.SectionName))
            .Configure(o =>
            {
                if (configuration[VisionOptions.ModelsDirectoryKey] is { Length: > 0 } dir)
                {
                    o.ModelsDirectory = dir;
                }
            })
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<VisionOptions>, VisionOptionsValidator>());
        services.TryAddSingleton(sp => new FrameDecoder(sp.GetRequiredService<IOptions<VisionOptions>>().Value.Frames));
        services.TryAddSingleton<IVehicleDetector, YoloxVehicleDetector>();
        services.TryAddSingleton<PlateDetector>();
        services.TryAddSingleton<IPlateDetector>(sp => sp.GetRequiredService<PlateDetector>());
        services.TryAddSingleton<PlateReader>();
        services.TryAddSingleton<PlateColorClassifier>();
        services.TryAddSingleton<VehicleVision>();
        services.TryAddSingleton<Annotator>();
        services.TryAddSingleton<PhotoProbe>();
        services.TryAddSingleton<IImageProbe>(sp => sp.GetRequiredService<PhotoProbe>());
        return services;
    }
}
