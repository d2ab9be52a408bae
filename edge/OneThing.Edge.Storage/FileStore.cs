using System.Security.Cryptography;
using OneThing.Edge.Domain;

namespace OneThing.Edge.Storage;

/// <summary>
/// Content-addressed files (evidence images, PDA photos): named by their SHA-256, written to a temp file,
/// flushed to disk, then renamed, so a crash leaves either the whole file or none. A failed write (disk full)
/// removes its temp file, so it neither leaves a partial file nor keeps the space.
/// </summary>
public sealed class FileStore(string root)
{
    public string Root { get; } = Directory.CreateDirectory(root).FullName;

    public string PathOf(string sha256) => System.IO.Path.Combine(Root, sha256[..2], sha256);

    public async Task<string> PutAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var sha = Convert.ToHexStringLower(SHA256.HashData(content.Span));
        var target = PathOf(sha);
        if (File.Exists(target))
        {
            return sha;
        }
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(target)!);
        var temp = target + "." + Guid.NewGuid().ToString("N") + ".tmp";
        try
        {
            await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, FileOptions.Asynchronous))
            {
                await stream.WriteAsync(content, cancellationToken);
                await stream.FlushAsync(cancellationToken);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, target, overwrite: true);
        }
        catch (Exception e)
        {
            File.Delete(temp);
            if (DiskFull.Is(e))
            {
                throw new StorageFullException(Root, e);
            }
            throw;
        }
        return sha;
    }

    public bool Exists(string sha256) => File.Exists(PathOf(sha256));

    public Task<byte[]> ReadAsync(string sha256, CancellationToken cancellationToken) => File.ReadAllBytesAsync(PathOf(sha256), cancellationToken);
}
