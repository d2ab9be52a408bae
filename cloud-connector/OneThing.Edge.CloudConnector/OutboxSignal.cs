using System.Threading.Channels;
using OneThing.Edge.Domain.Outbox;

namespace OneThing.Edge.CloudConnector;

/// <summary>A doorbell for the dispatch worker: rings coalesce, so a burst of cases causes one pass, not thousands.</summary>
public sealed class OutboxSignal : IOutboxSignal
{
    private readonly Channel<bool> _rings = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public void MessagesEnqueued() => _rings.Writer.TryWrite(true);

    internal ValueTask<bool> WaitAsync(CancellationToken cancellationToken) => _rings.Reader.ReadAsync(cancellationToken);
}
