using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using OneThing.Edge.Host.OperatorConsole;
using OneThing.Edge.Host.Pipeline;
using OneThing.Edge.Messaging;
using OneThing.Edge.Messaging.Security;
using OneThing.Edge.Storage.Cases;
using Prometheus;

namespace OneThing.Edge.Host.Http;

/// <summary>
/// Prometheus `/metrics`: the ingress counters and inference histogram (.NET meters, through prometheus-net's meter
/// adapter) and gauges read from storage on each scrape: cases by state, outbox backlog and its oldest pending age.
/// </summary>
public static class MetricsEndpoints
{
    public const string PipelineMeterName = "OneThing.Edge.Pipeline";
    private static readonly Meter PipelineMeter = new(PipelineMeterName);

    /// <summary>Seconds per vehicle detection call, recorded by the frame pipeline.</summary>
    public static readonly Histogram<double> InferenceSeconds =
        PipelineMeter.CreateHistogram<double>("inference_seconds", "s", "Vehicle detection time per frame");

    /// <summary>Seconds per plate read of a stopped vehicle (crop search, full-frame search when that fails, read).</summary>
    public static readonly Histogram<double> PlateReadSeconds =
        PipelineMeter.CreateHistogram<double>("plate_read_seconds", "s", "Plate read time per stopped vehicle");

    /// <summary>Seconds per evidence frame or plate close-up rendered (annotate and JPEG-encode).</summary>
    public static readonly Histogram<double> EvidenceSeconds =
        PipelineMeter.CreateHistogram<double>("evidence_seconds", "s", "Evidence rendering time per image");

    /// <summary>Seconds per full-size frame decode (the thumbnail of the motion gate not included).</summary>
    public static readonly Histogram<double> DecodeSeconds =
        PipelineMeter.CreateHistogram<double>("decode_seconds", "s", "JPEG decode time per full frame");

    /// <summary>Frames that skipped the vehicle detector because the scene had not changed (motion gate).</summary>
    public static readonly Counter<long> GatedFrames =
        PipelineMeter.CreateCounter<long>("frames_motion_gated", "frames", "Frames whose vehicles were carried over from the last detected frame");

    private static readonly double[] InferenceBuckets = [0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5];

    public static WebApplication MapMetrics(this WebApplication app)
    {
        // One registry per gateway, so several gateways in one test process do not share scrape callbacks.
        var registry = Metrics.NewCustomRegistry();
        var factory = Metrics.WithCustomRegistry(registry);
        var adapter = MeterAdapter.StartListening(new MeterAdapterOptions
        {
            Registry = registry,
            MetricFactory = factory,
            InstrumentFilterPredicate = i => i.Meter.Name is IngressCounters.MeterName or BrokerRefusals.MeterName or PipelineMeterName,
            ResolveHistogramBuckets = _ => InferenceBuckets,
            // Few, bounded series (cameras x outcomes): keep them as long as the adapter allows (a day), so a quiet
            // camera does not vanish from the scrape after the 5-minute default.
            MetricsExpireAfter = TimeSpan.FromDays(1),
        });
        app.Lifetime.ApplicationStopped.Register(adapter.Dispose);

        var cases = factory.CreateGauge("onething_cases", "Violation cases by state", labelNames: ["state"]);
        var outbox = factory.CreateGauge("onething_outbox_pending", "Outbox messages waiting for the traffic system (pending, in flight or failed)");
        var dead = factory.CreateGauge("onething_outbox_dead_lettered", "Outbox messages given up on");
        var oldest = factory.CreateGauge("onething_outbox_oldest_pending_seconds", "Age of the oldest message still waiting for the traffic system");
        var unrecorded = factory.CreateGauge("onething_cases_unrecorded", "Confirmed camera cases held in memory because the data disk is full");
        registry.AddBeforeCollectCallback(async cancellationToken =>
        {
            // Resolved per scrape, not while building: storage needs the validated site options, and a configuration
            // error must surface at start with its exit code, not here.
            var queries = app.Services.GetRequiredService<CaseQueries>();
            var byState = await queries.CountByStateAsync(cancellationToken);
            foreach (var state in Enum.GetNames<Domain.Outbox.ViolationState>().Select(s => s.ToLowerInvariant()))
            {
                cases.WithLabels(state).Set(byState.GetValueOrDefault(state));
            }
            var backlog = await queries.OutboxAsync(cancellationToken);
            outbox.Set(backlog.Pending);
            dead.Set(backlog.DeadLettered);
            oldest.Set(backlog.OldestPendingSeconds);
            unrecorded.Set(app.Services.GetRequiredService<FramePipeline>().Cameras.Values.Sum(c => c.UnrecordedCases));
        });

        if (!app.Services.GetRequiredService<IOptions<ConsoleOptions>>().Value.OpenMetrics)
        {
            var sessions = app.Services.GetRequiredService<OperatorSessions>();
            app.Use(async (context, next) =>
            {
                if (context.Request.Path.StartsWithSegments("/metrics") && sessions.Operator(context) is null)
                {
                    context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    return;
                }
                await next(context);
            });
        }
        app.MapMetrics("/metrics", registry);
        return app;
    }
}
