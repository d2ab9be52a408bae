using System.IO.Compression;
using System.Text.Json;
using OneThing.Edge.Domain.Configuration;
using OneThing.Edge.Host.Replay;
using OneThing.Edge.Storage.Cases;
using OneThing.Edge.Storage.Labels;

namespace OneThing.Edge.Host.Footage;

/// <summary>
/// Kept footage as a <see cref="Scenario"/>: one still segment per frame, held until the next frame's capture time,
/// so a replay sees the frames at the times they were captured. Operators' labels become the expected cases.
/// </summary>
public static class FootageScenario
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <param name="imagePrefix">Folder of the frames relative to the samples folder the replay is given ("" = that folder).</param>
    public static Scenario For(CameraOptions camera, IReadOnlyList<FootageFrame> frames, string imagePrefix, double lastFrameSeconds, IEnumerable<ExpectedCase> expected)
    {
        if (frames.Count == 0)
        {
            throw new InvalidDataException($"no footage of camera {camera.Id} in that window");
        }
        var segments = new List<ScenarioSegment>(frames.Count);
        for (var i = 0; i < frames.Count; i++)
        {
            var seconds = i + 1 < frames.Count ? (frames[i + 1].CapturedAt - frames[i].CapturedAt).TotalSeconds : lastFrameSeconds;
            // Two frames with one capture time: the later one would replace it; a tiny step keeps the order.
            seconds = Math.Max(seconds, 0.001);
            segments.Add(new ScenarioSegment { Image = imagePrefix + Path.GetFileName(frames[i].Path), Seconds = seconds, IntervalSeconds = seconds });
        }
        return new Scenario
        {
            Name = $"footage of {camera.Id} {frames[0].CapturedAt:u} - {frames[^1].CapturedAt:u}",
            Start = frames[0].CapturedAt,
            Camera = camera,
            Segments = segments,
            Expected = [.. expected],
        };
    }

    /// <summary>What the operators said about the camera's cases and misses: correct = expected, false alarm = must not be cited.</summary>
    public static IEnumerable<ExpectedCase> Expected(
        string cameraId, IEnumerable<CaseSummary> cases, IReadOnlyDictionary<Guid, CaseLabel> labels, IEnumerable<MissedViolation> missed)
    {
        foreach (var c in cases.Where(c => c.CameraId == cameraId))
        {
            if (labels.TryGetValue(c.Id, out var label))
            {
                yield return new ExpectedCase { Lane = c.LaneId, Plate = c.Plate, Confirmed = label.Verdict == CaseVerdicts.Correct };
            }
        }
        foreach (var m in missed.Where(m => m.CameraId == cameraId))
        {
            yield return new ExpectedCase { Lane = m.LaneId, Confirmed = true };
        }
    }

    /// <summary>A zip with `scenario.json` and the frames under `frames/`: unzip and `replay scenario.json --samples .`.</summary>
    public static async Task WriteZipAsync(Scenario scenario, IReadOnlyList<FootageFrame> frames, Stream output, CancellationToken cancellationToken)
    {
        await using var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true);
        await using (var entry = await zip.CreateEntry("scenario.json").OpenAsync(cancellationToken))
        {
            await JsonSerializer.SerializeAsync(entry, scenario, Json, cancellationToken);
        }
        foreach (var frame in frames)
        {
            // Already JPEG: stored, not compressed again.
            await using var entry = await zip.CreateEntry("frames/" + Path.GetFileName(frame.Path), CompressionLevel.NoCompression).OpenAsync(cancellationToken);
            await using var file = File.OpenRead(frame.Path);
            await file.CopyToAsync(entry, cancellationToken);
        }
    }
}
