using OneThing.Edge.Domain.Geometry;
using OpenCvSharp;

namespace OneThing.Edge.Vision;

/// <summary>
/// The copy of an officer's photo that leaves the site, made as camera evidence's is (<see cref="EvidenceRedactor"/>):
/// people and every plate but the reported car's pixelated. The reported car's plate is the one that reads as the
/// report's plate; when none does (a misread, a dirty plate), the largest one, because an officer photographs the car
/// he reports from close by. The photo the officer sent stays on the gateway as taken.
/// </summary>
public sealed class OfficerPhotoRedactor(FrameDecoder decoder, VehicleVision vision, EvidenceRedactor redactor)
{
    private const int JpegQuality = 95;

    /// <returns>The copy to share: the photo's own bytes when there is nothing to hide, else an upright re-encoding.</returns>
    public byte[] Redact(ReadOnlySpan<byte> photo, string contentType, string reportedPlate)
    {
        using var image = decoder.DecodeUpright(photo);
        var plates = vision.ReadPlates(image);
        var reported = plates.FirstOrDefault(p => p.Text == reportedPlate) ?? plates.MaxBy(p => p.Box.Area);
        using var redaction = redactor.Redact(image, reported?.Box ?? default(Box));
        if (redaction.People.Count == 0 && redaction.OtherPlates.Count == 0)
        {
            return photo.ToArray();
        }
        return contentType == "image/png"
            ? redaction.Image.ImEncode(".png")
            : Annotator.Encode(redaction.Image, JpegQuality);
    }
}
