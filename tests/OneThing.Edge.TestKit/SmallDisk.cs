using System.Diagnostics;
using Xunit;

namespace OneThing.Edge.TestKit;

/// <summary>
/// A small tmpfs mounted on a fresh temp folder, to run a gateway's data directory out of space: <see cref="Fill"/>
/// takes all but a few KiB, <see cref="Free"/> gives the space back. Mounting needs root (CI runs as root).
/// </summary>
public sealed class SmallDisk : IDisposable
{
    private SmallDisk(string path) => Path = path;

    public string Path { get; }

    private string FillerPath => System.IO.Path.Combine(Path, "filler");

    /// <summary>Why a tmpfs cannot be mounted here, or null when it can (tried once with a tiny one).</summary>
    public static string? NotMountableReason { get; } = Probe();

    public static SmallDisk Mount(int megabytes)
    {
        var path = TestPaths.NewTempDirectory("small-disk");
        if (Run("mount", "-t", "tmpfs", "-o", $"size={megabytes}m", "tmpfs", path) is { } error)
        {
            Directory.Delete(path);
            throw new InvalidOperationException(error);
        }
        return new SmallDisk(path);
    }

    public long FreeBytes => new DriveInfo(Path).AvailableFreeSpace;

    /// <summary>
    /// Writes zeros into a filler file until only <paramref name="leaveBytes"/> are free, or none: the gateway on this
    /// disk keeps writing too (footage, logs), so the disk may fill up under the filler, which is the point.
    /// </summary>
    public void Fill(int leaveBytes)
    {
        var zeros = new byte[64 * 1024];
        using var filler = new FileStream(FillerPath, FileMode.Append, FileAccess.Write, FileShare.Read, bufferSize: 0);
        try
        {
            for (var left = FreeBytes - leaveBytes; left > 0; left -= zeros.Length)
            {
                filler.Write(zeros, 0, (int)Math.Min(zeros.Length, left));
            }
            filler.Flush(flushToDisk: true);
        }
        catch (IOException) when (FreeBytes <= leaveBytes)
        {
            // Full before the filler was done.
        }
    }

    public void Free() => File.Delete(FillerPath);

    /// <summary>Unmounts (lazily, so a process still holding a file cannot keep it mounted) and removes the folder.</summary>
    public void Dispose()
    {
        if (Run("umount", "--lazy", Path) is null)
        {
            Directory.Delete(Path, recursive: true);
        }
    }

    private static string? Probe()
    {
        try
        {
            using var disk = Mount(1);
            return null;
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return e.Message;
        }
    }

    /// <returns>null on success, else the command and what it printed.</returns>
    private static string? Run(string command, params string[] args)
    {
        var info = new ProcessStartInfo(command) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }
        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEnd() + process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? null : $"{command} {string.Join(' ', args)} exited {process.ExitCode}: {error.Trim()}";
    }
}

/// <summary>A fact that mounts a <see cref="SmallDisk"/>; skipped, with the reason shown, where mounting is not permitted.</summary>
public sealed class SmallDiskFactAttribute : FactAttribute
{
    public SmallDiskFactAttribute()
    {
        if (SmallDisk.NotMountableReason is { } reason)
        {
            Skip = $"Needs a tmpfs mount (root or CAP_SYS_ADMIN): {reason}";
        }
    }
}
