using OneThing.Edge.Messaging;
using OneThing.Edge.Vision;

namespace OneThing.Edge.Host.Officer;

/// <summary>
/// The officer app's image work: reading the plate of a photo it is about to report (the same decode, EXIF turn and
/// plate search as `detect`), and small JPEG copies of a task's evidence. One plate read at a time, so phones cannot
/// take the cores from the cameras; nothing is stored.
/// </summary>
public sealed class OfficerPhotos(FrameDecoder decoder, PhotoProbe probe, VehicleVision vision, MqttOptions mqtt) : IDisposable
{
    public const int ThumbnailSide = 320;
    private const int ThumbnailQuality = 80;
    private readonly SemaphoreSlim _reads = new(1);

    /// <summary>
    /// The most confident valid plate in the photo; <see cref="FrameDecodeException"/> when it is no image or larger
    /// than a PDA report's photo may be (<see cref="PhotoProbe.Header"/>).
    /// </summary>
    public async Task<PlateReadingResult> ReadPlateAsync(byte[] photo, CancellationToken cancellationToken)
    {
        var header = probe.Header(photo, mqtt.MaxPhotoSide);
        await _reads.WaitAsync(cancellationToken);
        try
        {
            using var image = decoder.DecodeUpright(photo, header);
            var best = vision.Analyze(image).AllPlates.Where(p => p.IsValid).MaxBy(p => p.Confidence);
            return best is null
                ? new PlateReadingResult(null, null, null)
                : new PlateReadingResult(best.Text, Math.Round(best.Confidence, 3), best.Color);
        }
        finally
        {
            _reads.Release();
        }
    }

    /// <summary>A JPEG of at most <see cref="ThumbnailSide"/> px a side (decoded reduced, as footage frames are).</summary>
    public static byte[] Thumbnail(byte[] image) => ReducedJpeg.Of(image, ThumbnailSide, ThumbnailQuality);

    public void Dispose() => _reads.Dispose();
}
