namespace OneThing.Edge.Host.WhatIf;

public static class WhatIfServiceCollectionExtensions
{
    /// <summary>What-if replays of a lane's footage, one at a time in the background (endpoints: <see cref="TuningEndpoints"/>).</summary>
    public static IServiceCollection AddWhatIf(this IServiceCollection services)
    {
        services.AddSingleton<WhatIfJobs>();
        services.AddHostedService(sp => sp.GetRequiredService<WhatIfJobs>());
        return services;
    }
}
