namespace OneThing.Edge.TestKit;

/// <summary>Where the repository, ../shared samples and the fetched models are, from any test's output folder.</summary>
public static class TestPaths
{
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>../shared beside the repository (CI places it there); overridable with ONETHING_SHARED.</summary>
    public static string Shared =>
        Environment.GetEnvironmentVariable("ONETHING_SHARED") is { Length: > 0 } s ? s : Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"));

    public static string Samples => Path.Combine(Shared, "samples");

    /// <summary>
    /// The folder with the .onnx files: models/onnx after `models/fetch.sh`, else ../shared/models directly.
    /// </summary>
    public static string Models
    {
        get
        {
            var fetched = Path.Combine(RepoRoot, "models", "onnx");
            return File.Exists(Path.Combine(fetched, "yolox_nano_416.onnx")) ? fetched : Path.Combine(Shared, "models");
        }
    }

    public static string Sample(params string[] parts) => Path.Combine([Samples, .. parts]);

    /// <summary>
    /// Where a browser test keeps its screenshot <paramref name="name"/>: the test's output folder (screenshots/), so a
    /// plain run leaves the git tree as it was; docs/images, the README's pictures, with ONETHING_UPDATE_SCREENSHOTS=1.
    /// </summary>
    public static string Screenshot(string name)
    {
        var folder = Environment.GetEnvironmentVariable("ONETHING_UPDATE_SCREENSHOTS") == "1"
            ? Path.Combine(RepoRoot, "docs", "images")
            : Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, name);
    }

    /// <summary>
    /// This process's folder for test data under the system temp folder, deleted when the process exits (a test run left
    /// hundreds of gateway data directories behind). Set ONETHING_KEEP_TEST_DATA=1 to keep it for a look after a failure.
    /// </summary>
    private static readonly Lazy<string> RunDirectory = new(() =>
    {
        var dir = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"onething-run-{Environment.ProcessId}-{Guid.NewGuid():N}")).FullName;
        if (Environment.GetEnvironmentVariable("ONETHING_KEEP_TEST_DATA") != "1")
        {
            AppDomain.CurrentDomain.ProcessExit += (_, _) => DeleteQuietly(dir);
        }
        return dir;
    });

    /// <summary>A fresh empty folder under this process's test data folder, unique per call.</summary>
    public static string NewTempDirectory(string prefix = "onething-test")
    {
        var dir = Path.Combine(RunDirectory.Value, $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static void DeleteQuietly(string dir)
    {
        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (IOException)
        {
            // A mount still in place or a file still held: the OS's temp cleaning gets the rest.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OneThing.Edge.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("OneThing.Edge.sln not found above " + AppContext.BaseDirectory);
    }
}
