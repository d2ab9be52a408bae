using System.Diagnostics.Metrics;
using OneThing.Edge.Host.Pipeline;

namespace OneThing.Edge.Benchmarks;

/// <summary>
/// Sums the pipeline's stage timings (decode, motion gate, detect, plate read, evidence, footage) from its meter, so a level of the ramp
/// shows where the cores went: core-seconds per second of each stage, and how many plate reads and evidence images.
/// </summary>
public sealed class StageClock : IDisposable
{
    private static readonly string[] Stages = ["decode_seconds", "motion_seconds", "inference_seconds", "plate_read_seconds", "evidence_seconds", "footage_seconds"];
    private readonly MeterListener _listener = new();
    private readonly Lock _lock = new();
    private readonly Dictionary<string, (long Count, double Seconds)> _sums = [];

    public StageClock()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == PipelineMetrics.MeterName && Stages.Contains(instrument.Name))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((instrument, seconds, _, _) =>
        {
            lock (_lock)
            {
                var (count, sum) = _sums.GetValueOrDefault(instrument.Name);
                _sums[instrument.Name] = (count + 1, sum + seconds);
            }
        });
        _listener.Start();
    }

    /// <summary>Stage totals since the last call, in stage order: decode, motion gate, detect, plate read, evidence, footage.</summary>
    public IReadOnlyList<(long Count, double Seconds)> Take()
    {
        lock (_lock)
        {
            var taken = Stages.Select(s => _sums.GetValueOrDefault(s)).ToList();
            _sums.Clear();
            return taken;
        }
    }

    public void Dispose() => _listener.Dispose();
}
