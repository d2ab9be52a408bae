using System.Globalization;
using OneThing.Edge.Domain.Detections;
using Microsoft.Extensions.Options;

namespace OneThing.Edge.Vision;

/// <summary><c>onething-edge detect &lt;image&gt; [--out annotated.jpg]</c>: one image in, detections and an annotated image out.</summary>
public static class DetectCommand
{
    public const int Ok = 0;
    public const int BadImage = 1;
    public const int BadConfiguration = 2;

    public static async Task<int> RunAsync(string imagePath, string? outPath, VisionOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(imagePath);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        var errors = VisionOptionsValidator.Check(options);
        if (errors.Count > 0)
        {
            foreach (var e in errors)
            {
                await output.WriteLineAsync("configuration error: " + e);
            }
            return BadConfiguration;
        }
        if (!File.Exists(imagePath))
        {
            await output.WriteLineAsync($"image not found: {imagePath}");
            return BadImage;
        }
        var bytes = await File.ReadAllBytesAsync(imagePath, cancellationToken);
        var wrapped = Options.Create(options);
        using var vehicles = new YoloxVehicleDetector(wrapped);
        using var plates = new PlateDetector(wrapped);
        using var reader = new PlateReader(wrapped);
        using var colors = new PlateColorClassifier(wrapped);
        var vision = new VehicleVision(vehicles, plates, reader, colors, wrapped);
        try
        {
            using var frame = new FrameDecoder(options.Frames).Decode(bytes);
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var analysis = vision.Analyze(frame);
            var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
            var inv = CultureInfo.InvariantCulture;
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
            if (outPath is not null)
            {
                // A still image has no capture timestamp; its file time stands in (no clock read here).
                var capturedAt = new DateTimeOffset(File.GetLastWriteTimeUtc(imagePath), TimeSpan.Zero);
                var overlay = new FrameOverlay(Path.GetFileNameWithoutExtension(imagePath), capturedAt, [],
                    [.. analysis.Vehicles.Select(v => v.Vehicle)], [.. analysis.AllPlates]);
                await File.WriteAllBytesAsync(outPath, new Annotator().Render(frame, overlay), cancellationToken);
                await output.WriteLineAsync($"annotated image: {outPath}");
            }
            return Ok;
        }
        catch (FrameDecodeException e)
        {
            await output.WriteLineAsync($"cannot decode {imagePath}: {e.Code}: {e.Message}");
            return BadImage;
        }
    }

    private static string Describe(PlateReading p) => string.Create(CultureInfo.InvariantCulture,
        $"    plate {(p.Text.Length == 0 ? "(unread)" : p.Text)}{(p.IsValid ? "" : " (invalid)")} conf={p.Confidence:0.000} det={p.DetectionScore:0.000}{(p.DoubleLayer ? " double-layer" : "")}{(p.Color is null ? "" : " " + p.Color)} box=({p.Box.X1:0},{p.Box.Y1:0},{p.Box.X2:0},{p.Box.Y2:0})");
}
