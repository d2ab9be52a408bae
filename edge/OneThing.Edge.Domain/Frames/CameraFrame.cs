namespace OneThing.Edge.Domain.Frames;

/// <summary>
/// An encoded image (JPEG or PNG) from one camera with the time it was captured. All dwell and clearance
/// timing uses <see cref="CapturedAt"/>, never the time it arrived.
/// </summary>
public sealed record CameraFrame(string CameraId, DateTimeOffset CapturedAt, ReadOnlyMemory<byte> Image, long? Sequence, DateTimeOffset ReceivedAt);

/// <summary>The pipeline stage that takes frames off a camera's queue, one camera's frames in order.</summary>
public interface IFrameSink
{
    ValueTask ProcessAsync(CameraFrame frame, CancellationToken cancellationToken);
}
