using OneThing.Edge.Domain.Outbox;

namespace OneThing.Edge.Storage.Outbox;

/// <summary>Evidence uploads read the content-addressed files the evidence builder stored.</summary>
public sealed class EvidenceFiles(FileStore files) : IEvidenceContent
{
    public Task<byte[]> ReadAsync(string sha256, CancellationToken cancellationToken) => files.ReadAsync(sha256, cancellationToken);
}
