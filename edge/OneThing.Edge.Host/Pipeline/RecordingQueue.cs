using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace OneThing.Edge.Host.Pipeline;

/// <summary>
/// The bounded queue between analysis and recording. One reader keeps every camera's frames in order; analysis
/// waits only when <see cref="PipelineOptions.RecordingQueueCapacity"/> frames are waiting (never drops: a
/// confirmed case must not be lost).
/// </summary>
public sealed class RecordingQueue(IOptions<PipelineOptions> options)
{
    private readonly Channel<AnalysedFrame> _channel = Channel.CreateBounded<AnalysedFrame>(
        new BoundedChannelOptions(Math.Max(1, options.Value.RecordingQueueCapacity)) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true });

    public ValueTask WriteAsync(AnalysedFrame frame, CancellationToken cancellationToken) => _channel.Writer.WriteAsync(frame, cancellationToken);

    public ChannelReader<AnalysedFrame> Reader => _channel.Reader;

    /// <summary>Analysed frames not recorded yet (for /metrics).</summary>
    public int Waiting => _channel.Reader.Count;
}
