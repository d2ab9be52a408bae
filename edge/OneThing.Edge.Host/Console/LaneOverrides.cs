using System.Text.Json;
using Microsoft.Extensions.Options;
using OneThing.Edge.Domain.Configuration;

namespace OneThing.Edge.Host.OperatorConsole;

/// <summary>
/// Lanes edited in the console, kept in `{DataDirectory}/site.overrides.json` as whole lane lists per camera under
/// `OneThing:LaneOverrides:{cameraId}`. They replace the camera's configured lanes after binding: configuration
/// merges arrays by index, so a shorter polygon layered over a longer one would keep stale points.
/// </summary>
public sealed class LaneOverrides(IConfigurationRoot configuration, string path) : IPostConfigureOptions<SiteOptions>
{
    public const string Section = "OneThing:LaneOverrides";
    public const string FileName = "site.overrides.json";
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
    private readonly Lock _write = new();

    public string Path { get; } = path;

    public void PostConfigure(string? name, SiteOptions options)
    {
        foreach (var camera in options.Cameras)
        {
            var section = configuration.GetSection(Section).GetSection(camera.Id);
            if (section.Exists())
            {
                camera.Lanes = section.Get<List<LaneOptions>>() ?? [];
            }
        }
    }

    /// <summary>Writes the camera's lanes (already validated) and reloads configuration so the engines pick them up now.</summary>
    public void Save(string cameraId, IReadOnlyList<LaneOptions> lanes)
    {
        lock (_write)
        {
            var all = File.Exists(Path)
                ? JsonSerializer.Deserialize<OverridesFile>(File.ReadAllBytes(Path)) ?? new OverridesFile()
                : new OverridesFile();
            all.OneThing.LaneOverrides[cameraId] = [.. lanes];
            // Write then rename: the file watcher never sees half a file.
            var temp = Path + ".tmp";
            File.WriteAllBytes(temp, JsonSerializer.SerializeToUtf8Bytes(all, Indented));
            File.Move(temp, Path, overwrite: true);
            configuration.Reload();
        }
    }

    private sealed class OverridesFile
    {
        public OverridesSection OneThing { get; set; } = new();
    }

    private sealed class OverridesSection
    {
        public Dictionary<string, List<LaneOptions>> LaneOverrides { get; set; } = new(StringComparer.Ordinal);
    }
}
