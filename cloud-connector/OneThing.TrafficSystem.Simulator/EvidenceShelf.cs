namespace OneThing.TrafficSystem.Simulator;

/// <summary>
/// The evidence files the traffic system received, kept as uploaded (named by their SHA-256, beside a file with the
/// content type) so a test or an operator can see exactly what left the gateway. Without a folder nothing is kept.
/// </summary>
public sealed class EvidenceShelf(string? directory)
{
    public async Task KeepAsync(string sha256, ReadOnlyMemory<byte> content, string? contentType, CancellationToken cancellationToken)
    {
        if (directory is null)
        {
            return;
        }
        Directory.CreateDirectory(directory);
        await File.WriteAllBytesAsync(Path.Combine(directory, sha256), content, cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(directory, sha256 + ".type"), contentType ?? "application/octet-stream", cancellationToken);
    }

    /// <summary>A kept file and its content type, or null when it was not kept.</summary>
    public (string Path, string ContentType)? Find(string sha256)
    {
        if (directory is null || !IntakeValidation.IsSha256(sha256))
        {
            return null;
        }
        var path = Path.Combine(directory, sha256);
        return File.Exists(path) ? (path, File.ReadAllText(path + ".type")) : null;
    }
}
