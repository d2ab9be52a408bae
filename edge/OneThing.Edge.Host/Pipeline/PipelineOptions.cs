using OneThing.Edge.Vision;

namespace OneThing.Edge.Host.Pipeline;

/// <summary>`OneThing:Pipeline`: how many frames are analysed at once (each ONNX call uses one thread), the motion gate, the recording queue.</summary>
public sealed class PipelineOptions
{
    public const string Section = "OneThing:Pipeline";

    public int InferenceWorkers { get; set; } = Environment.ProcessorCount;

    /// <summary>
    /// Analysed frames waiting for recording (storage, events) across all cameras. Analysis waits only when this many
    /// are waiting: a slow disk is absorbed here, and a full disk never fills it (cases wait in memory instead).
    /// </summary>
    public int RecordingQueueCapacity { get; set; } = 4096;

    public MotionGateOptions MotionGate { get; set; } = new();
}
