using OneThing.Edge.Domain.Frames;
using OneThing.Edge.Domain.Reports;

namespace OneThing.Edge.Host.Pipeline;

public static class PipelineServiceCollectionExtensions
{
    /// <summary>The frame pipeline (decode, detect, lanes, dwell, evidence) and PDA case fusion.</summary>
    public static IServiceCollection AddPipeline(this IServiceCollection services, IConfiguration configuration)
    {
        _ = configuration;
        services.AddSingleton<IImageProbe, OpenCvImageProbe>();
        services.AddSingleton<IFrameSink, FramePipeline>();
        services.AddSingleton<IPdaReportSink, PdaCaseFusion>();
        return services;
    }
}
