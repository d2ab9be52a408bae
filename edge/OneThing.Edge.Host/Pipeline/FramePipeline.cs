using OneThing.Edge.Domain.Frames;

namespace OneThing.Edge.Host.Pipeline;

/// <summary>Takes each camera's frames in order; detection and the violation engine plug in here.</summary>
public sealed class FramePipeline : IFrameSink
{
    public ValueTask ProcessAsync(CameraFrame frame, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
