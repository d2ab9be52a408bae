using System.Text.Json;
using System.Text.Json.Serialization;
using OneThing.Edge.Domain.Configuration;
using OpenCvSharp;

namespace OneThing.Edge.Host.Replay;

/// <summary>
/// Recorded or staged footage with the cases an operator expects from it. Frames come from segments played in order,
/// each with capture times `IntervalSeconds` apart: a still image held for `Seconds`, a video file, a folder of images,
/// or an empty lane. Masks paint rectangles over parts of a frame (a car that left); `Brightness` darkens it (night).
/// </summary>
public sealed class Scenario
{
    public string Name { get; set; } = "";
    public DateTimeOffset Start { get; set; } = new(2026, 1, 1, 8, 0, 0, TimeSpan.Zero);
    public CameraOptions Camera { get; set; } = new() { Id = "cam-1" };
    public List<ScenarioSegment> Segments { get; set; } = [];
    public List<ExpectedCase> Expected { get; set; } = [];

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    public static Scenario Load(string path)
    {
        var scenario = JsonSerializer.Deserialize<Scenario>(File.ReadAllText(path), Json) ?? throw new InvalidDataException($"{path}: empty scenario");
        // JSON null gets past the defaults above; refused here, by name, rather than failing later during play.
        var problem = scenario.Camera is null ? "camera is null"
            : scenario.Segments is null ? "segments is null"
            : scenario.Segments.Count == 0 ? "segments is empty"
            : scenario.Segments.IndexOf(null!) is var i and >= 0 ? $"segments[{i}] is null"
            : scenario.Expected is null || scenario.Expected.Contains(null!) ? "expected has a null entry or is null"
            : null;
        return problem is null ? scenario : throw new InvalidDataException($"{path}: {problem}");
    }

    /// <summary>The frames in capture order: JPEG bytes and capture time.</summary>
    public IEnumerable<(byte[] Image, DateTimeOffset CapturedAt)> Frames(string samplesDirectory)
    {
        var at = Start;
        foreach (var segment in Segments)
        {
            foreach (var image in segment.Images(samplesDirectory))
            {
                yield return (image, at);
                at = at.AddSeconds(segment.IntervalSeconds);
            }
        }
    }

    public int FrameCount(string samplesDirectory) => Segments.Sum(s => s.Count(samplesDirectory));
}

public sealed class ScenarioSegment
{
    /// <summary>A still image (relative to the samples folder), held for <see cref="Seconds"/>.</summary>
    public string? Image { get; set; }

    /// <summary>A video file; every <see cref="Every"/>th frame is played.</summary>
    public string? Video { get; set; }

    /// <summary>An empty, grey lane of <see cref="Width"/> x <see cref="Height"/>: the cars have gone.</summary>
    public bool Empty { get; set; }

    public double Seconds { get; set; }
    public double IntervalSeconds { get; set; } = 1;
    public int Every { get; set; } = 1;
    public int Width { get; set; } = 1280;
    public int Height { get; set; } = 720;

    /// <summary>1 keeps the image; 0.1 is night, too dark for the detector.</summary>
    public double Brightness { get; set; } = 1;

    /// <summary>Rectangles [x1, y1, x2, y2] normalised 0..1, painted grey: a vehicle removed from the scene.</summary>
    public List<float[]> Masks { get; set; } = [];

    public int Count(string samples) => Video is null ? (int)Math.Max(1, Math.Round(Seconds / IntervalSeconds)) : Images(samples).Count();

    public IEnumerable<byte[]> Images(string samples)
    {
        if (Video is not null)
        {
            using var capture = new VideoCapture(Path.Combine(samples, Video));
            if (!capture.IsOpened())
            {
                throw new InvalidDataException($"video {Video} cannot be opened under {samples}");
            }
            using var frame = new Mat();
            for (var i = 0; capture.Read(frame) && !frame.Empty(); i++)
            {
                if (i % Every == 0)
                {
                    yield return Encode(frame);
                }
            }
            yield break;
        }

        byte[] still;
        if (Empty)
        {
            using var grey = new Mat(Height, Width, MatType.CV_8UC3, Scalar.All(90));
            still = Encode(grey);
        }
        else
        {
            var path = Path.Combine(samples, Image ?? throw new InvalidDataException("a segment needs image, video or empty"));
            using var mat = Cv2.ImRead(path, ImreadModes.Color);
            if (mat.Empty())
            {
                throw new InvalidDataException($"image {Image} cannot be read under {samples}");
            }
            still = Encode(mat);
        }
        for (var i = 0; i < Count(samples); i++)
        {
            yield return still;
        }
    }

    private byte[] Encode(Mat source)
    {
        using var frame = source.Clone();
        foreach (var m in Masks)
        {
            Cv2.Rectangle(frame, new Point(m[0] * frame.Width, m[1] * frame.Height), new Point(m[2] * frame.Width, m[3] * frame.Height), Scalar.All(90), -1);
        }
        if (Brightness < 1)
        {
            frame.ConvertTo(frame, -1, Brightness, 0);
        }
        return frame.ImEncode(".jpg", new ImageEncodingParam(ImwriteFlags.JpegQuality, 90));
    }
}

/// <summary>A case the footage should (Confirmed=true) or must not (false: a drop-off) produce.</summary>
public sealed class ExpectedCase
{
    public string Lane { get; set; } = "";
    public string? Plate { get; set; }
    public bool Confirmed { get; set; } = true;

    [JsonIgnore]
    public string Label => $"{Lane} {Plate ?? "(no plate)"}{(Confirmed ? "" : " must not be cited")}";
}
