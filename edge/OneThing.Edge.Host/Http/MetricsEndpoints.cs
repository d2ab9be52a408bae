using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using OneThing.Edge.Domain.Cases;
using OneThing.Edge.Host.OperatorConsole;
using OneThing.Edge.Host.Pipeline;
using OneThing.Edge.Messaging;
using OneThing.Edge.Messaging.Security;
using OneThing.Edge.Storage.Cases;
using Prometheus;

namespace OneThing.Edge.Host.Http;

/// <summary>
/// Prometheus `/metrics`: the modules' .NET meters (ingress, broker refusals, pipeline; through prometheus-net's meter
/// adapter) and gauges read from storage on each scrape: cases by state, outbox backlog and its oldest pending age.
/// </summary>
public static class MetricsEndpoints
{
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
            InstrumentFilterPredicate = i => i.Meter.Name is IngressCounters.MeterName or BrokerRefusals.MeterName or PipelineMetrics.MeterName,
            ResolveHistogramBuckets = _ => InferenceBuckets,
            // Few, bounded series (cameras x outcomes): keep them as long as the adapter allows (a day), so a quiet
            // camera does not vanish from the scrape after the 5-minute default.
            MetricsExpireAfter = TimeSpan.FromDays(1),
        });
        app.Lifetime.ApplicationStopped.Register(adapter.Dispose);

        var cases = factory.CreateGauge("onething_cases", "Violation cases by state", labelNames: ["state"]);
        var outbox = factory.CreateGauge("onething_outbox_pending", "Case messages (cases, evidence, clearances) waiting for the traffic system (pending, in flight or failed); audit anchors apart");
        var anchors = factory.CreateGauge("onething_outbox_pending_anchors", "Audit anchors waiting for the traffic system");
        var dead = factory.CreateGauge("onething_outbox_dead_lettered", "Outbox messages given up on");
        var oldest = factory.CreateGauge("onething_outbox_oldest_pending_seconds", "Age of the oldest message still waiting for the traffic system");
        var recordingQueue = factory.CreateGauge("onething_recording_queue", "Analysed frames waiting for recording (storage, events)");
        var unrecorded = factory.CreateGauge("onething_cases_unrecorded", "Confirmed camera cases held in memory because the data disk is full");
        registry.AddBeforeCollectCallback(async cancellationToken =>
        {
            // Resolved per scrape, not while building: storage needs the validated site options, and a configuration
            // error must surface at start with its exit code, not here.
            var queries = app.Services.GetRequiredService<CaseQueries>();
            var byState = await queries.CountByStateAsync(cancellationToken);
            foreach (var state in Enum.GetValues<CaseState>().Select(CaseLifecycle.Name))
            {
                cases.WithLabels(state).Set(byState.GetValueOrDefault(state));
            }
            var backlog = await queries.OutboxAsync(cancellationToken);
            outbox.Set(backlog.Pending);
            anchors.Set(backlog.PendingAnchors);
            dead.Set(backlog.DeadLettered);
            oldest.Set(backlog.OldestPendingSeconds);
            unrecorded.Set(app.Services.GetRequiredService<CaseRecording>().UnrecordedCases);
            recordingQueue.Set(app.Services.GetRequiredService<RecordingQueue>().Waiting);
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
