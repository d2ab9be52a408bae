namespace OneThing.Edge.Host.Officer;

public static class OfficerServiceCollectionExtensions
{
    /// <summary>The officer app's settings, its device login and its image work (<see cref="OfficerEndpoints"/>).</summary>
    public static IServiceCollection AddOfficer(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<OfficerOptions>().Bind(configuration.GetSection(OfficerOptions.Section));
        services.AddSingleton<DeviceLogin>();
        services.AddSingleton<PdaRequired>();
        services.AddSingleton<OfficerPhotos>();
        return services;
    }
}
