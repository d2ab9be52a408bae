using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace OneThing.Edge.Host.Pipeline;

/// <summary>
/// The frame path's instruments (scraped as `onething_edge_pipeline_...`): where the cores go per stage, frames the
/// motion gate let skip the detector, and the queue between analysis and recording.
/// </summary>
public static class PipelineMetrics
{
    public const string MeterName = "OneThing.Edge.Pipeline";
    private static readonly Meter Meter = new(MeterName);

    /// <summary>Seconds per vehicle detection call.</summary>
    public static readonly Histogram<double> InferenceSeconds =
        Meter.CreateHistogram<double>("inference_seconds", "s", "Vehicle detection time per frame");

    /// <summary>Seconds per plate read of a stopped vehicle (crop search, full-frame search when that fails, read).</summary>
    public static readonly Histogram<double> PlateReadSeconds =
        Meter.CreateHistogram<double>("plate_read_seconds", "s", "Plate read time per stopped vehicle");

    /// <summary>Seconds per evidence frame or plate close-up rendered (annotate and JPEG-encode).</summary>
    public static readonly Histogram<double> EvidenceSeconds =
        Meter.CreateHistogram<double>("evidence_seconds", "s", "Evidence rendering time per image");

    /// <summary>Seconds per full-size frame decode (the thumbnail of the motion gate not included).</summary>
    public static readonly Histogram<double> DecodeSeconds =
        Meter.CreateHistogram<double>("decode_seconds", "s", "JPEG decode time per full frame");

    /// <summary>Seconds per motion-gate check (the 1/8 grey thumbnail's decode and its comparison with the reference).</summary>
    public static readonly Histogram<double> MotionSeconds =
        Meter.CreateHistogram<double>("motion_seconds", "s", "Motion gate time per frame (thumbnail decode and compare)");

    /// <summary>Seconds per frame kept as footage (decode at reduced size, scale, encode, write, prune).</summary>
    public static readonly Histogram<double> FootageSeconds =
        Meter.CreateHistogram<double>("footage_seconds", "s", "Footage time per kept frame");

    /// <summary>Frames that skipped the vehicle detector because the scene had not changed (motion gate).</summary>
    public static readonly Counter<long> GatedFrames =
        Meter.CreateCounter<long>("frames_motion_gated", "frames", "Frames whose vehicles were carried over from the last detected frame");

    /// <summary>Plate reads answered with a reading kept from the same still scene (<see cref="KeptPlateReadings"/>).</summary>
    public static readonly Counter<long> PlateReadsReused =
        Meter.CreateCounter<long>("plate_reads_reused", "reads", "Plate reads of a stopped car answered with its reading from the same still scene");

    /// <summary>Analysed frames whose recording failed (a storage error other than a full disk); the frame's cases are lost.</summary>
    public static readonly Counter<long> RecordingFailures =
        Meter.CreateCounter<long>("recording_failures", "frames", "Analysed frames whose cases could not be recorded");

    /// <summary>Runs one stage of a frame and records its time, so /metrics shows where the cores go.</summary>
    public static T Timed<T>(this Histogram<double> stage, Func<T> work)
    {
        var started = Stopwatch.GetTimestamp();
        var result = work();
        stage.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
        return result;
    }
}
