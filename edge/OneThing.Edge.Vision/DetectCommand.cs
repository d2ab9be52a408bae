using System.Globalization;
using Microsoft.Extensions.Options;
using OneThing.Edge.Domain.Detections;

namespace OneThing.Edge.Vision;

/// <summary>
/// <c>onething-edge detect &lt;image or folder&gt;... [--labels file.csv] [--out path]</c>: vehicles and plates per
/// image, and with labels the share of images whose plate was read exactly. The models load once for all images.
/// </summary>
public static class DetectCommand
{
    public const int Ok = 0;
    public const int BadImage = 1;
    public const int BadConfiguration = 2;

    private static readonly string[] ImageExtensions = [".jpg", ".jpeg", ".png"];

    public static async Task<int> RunAsync(
        IReadOnlyList<string> inputs, string? outPath, string? labelsPath, VisionOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        var errors = VisionOptionsValidator.Check(options);
        foreach (var e in errors)
        {
            await output.WriteLineAsync("configuration error: " + e);
        }
        DetectLabels? labels = null;
        try
        {
            labels = labelsPath is null ? null : DetectLabels.Load(labelsPath);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            await output.WriteLineAsync($"cannot read labels: {e.Message}");
            return BadConfiguration;
        }
        if (errors.Count > 0)
        {
            return BadConfiguration;
        }
        var images = Expand(inputs);
        if (images.Count == 0)
        {
            await output.WriteLineAsync("no images: name image files or folders with .jpg, .jpeg or .png files");
            return BadImage;
        }
        var wrapped = Options.Create(options);
        using var vehicles = new YoloxVehicleDetector(wrapped);
        using var plates = new PlateDetector(wrapped);
        using var reader = new PlateReader(wrapped);
        using var colors = new PlateColorClassifier(wrapped);
        var vision = new VehicleVision(vehicles, plates, reader, colors, wrapped);
        var decoder = new FrameDecoder(options.Frames);
        int failed = 0, labelled = 0, exact = 0;
        foreach (var image in images)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var expected = labels?.PlateOf(image);
            labelled += expected is null ? 0 : 1;
            // One bad file is a line of its own; the others are still read.
            var read = await DetectOneAsync(image, AnnotatedPath(outPath, image, images.Count), decoder, vision, output, cancellationToken);
            if (read is null)
            {
                failed++;
                continue;
            }
            if (expected is not null)
            {
                var right = string.Equals(read, expected, StringComparison.Ordinal);
                exact += right ? 1 : 0;
                await output.WriteLineAsync($"  expected {expected}: {(right ? "exact" : "wrong")}");
            }
        }
        if (labels is not null)
        {
            var accuracy = labelled == 0 ? 0 : (double)exact / labelled;
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"plate accuracy: {exact}/{labelled} = {accuracy:0.000} (exact plate matches / labelled files)"));
        }
        if (failed > 0)
        {
            await output.WriteLineAsync($"{failed} of {images.Count} file(s) could not be read");
        }
        return failed > 0 ? BadImage : Ok;
    }

    /// <summary>Detections of one image; returns the plate it reads (the most confident valid one, else "") or null when the file is bad.</summary>
    private static async Task<string?> DetectOneAsync(
        string imagePath, string? outPath, FrameDecoder decoder, VehicleVision vision, TextWriter output, CancellationToken cancellationToken)
    {
        var inv = CultureInfo.InvariantCulture;
        try
        {
            var bytes = await File.ReadAllBytesAsync(imagePath, cancellationToken);
            using var frame = decoder.DecodeUpright(bytes);
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var analysis = vision.Analyze(frame);
            var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
            await output.WriteLineAsync(string.Create(inv, $"{Path.GetFileName(imagePath)} {frame.Width}x{frame.Height}: {analysis.Vehicles.Count} vehicle(s) in {elapsed.TotalMilliseconds:0} ms"));
            foreach (var v in analysis.Vehicles)
            {
                var b = v.Vehicle.Box;
                await output.WriteLineAsync(string.Create(inv, $"  vehicle {v.Vehicle.Label,-10} {v.Vehicle.Score:0.000} box=({b.X1:0},{b.Y1:0},{b.X2:0},{b.Y2:0})"));
                if (v.Plate is { } p)
                {
                    await output.WriteLineAsync(Describe(p));
                }
            }
            foreach (var p in analysis.UnattachedPlates)
            {
                await output.WriteLineAsync(Describe(p));
            }
            var best = analysis.AllPlates.Where(p => p.IsValid).OrderByDescending(p => p.Confidence).FirstOrDefault();
            await output.WriteLineAsync($"  reading: {best?.Text ?? "(no valid plate)"}");
            if (outPath is not null)
            {
                // A still image has no capture timestamp; its file time stands in (no clock read here).
                var capturedAt = new DateTimeOffset(File.GetLastWriteTimeUtc(imagePath), TimeSpan.Zero);
                var overlay = new FrameOverlay(Path.GetFileNameWithoutExtension(imagePath), capturedAt, [],
                    [.. analysis.Vehicles.Select(v => v.Vehicle)], [.. analysis.AllPlates]);
                await File.WriteAllBytesAsync(outPath, new Annotator().Render(frame, overlay), cancellationToken);
                await output.WriteLineAsync($"  annotated image: {outPath}");
            }
            return best?.Text ?? "";
        }
        catch (FrameDecodeException e)
        {
            await output.WriteLineAsync($"{Path.GetFileName(imagePath)}: cannot decode: {e.Code}: {e.Message}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await output.WriteLineAsync($"{Path.GetFileName(imagePath)}: cannot read: {e.Message}");
        }
        return null;
    }

    /// <summary>Files as given (any extension: the decoder judges them), folders as their image files in name order.</summary>
    private static List<string> Expand(IReadOnlyList<string> inputs)
    {
        var images = new List<string>();
        foreach (var input in inputs)
        {
            if (Directory.Exists(input))
            {
                images.AddRange(Directory.EnumerateFiles(input)
                    .Where(f => ImageExtensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
                    .Order(StringComparer.Ordinal));
            }
            else
            {
                images.Add(input);
            }
        }
        return images;
    }

    // One image: --out is the annotated file; several: --out is a folder that gets <name>.annotated.jpg each.
    private static string? AnnotatedPath(string? outPath, string image, int count)
    {
        if (outPath is null || count == 1)
        {
            return outPath;
        }
        Directory.CreateDirectory(outPath);
        return Path.Combine(outPath, Path.GetFileNameWithoutExtension(image) + ".annotated.jpg");
    }

    private static string Describe(PlateReading p) => string.Create(CultureInfo.InvariantCulture,
        $"    plate {(p.Text.Length == 0 ? "(unread)" : p.Text)}{(p.IsValid ? "" : " (invalid)")} conf={p.Confidence:0.000} det={p.DetectionScore:0.000}{(p.DoubleLayer ? " double-layer" : "")}{(p.Color is null ? "" : " " + p.Color)} box=({p.Box.X1:0},{p.Box.Y1:0},{p.Box.X2:0},{p.Box.Y2:0})");
}
