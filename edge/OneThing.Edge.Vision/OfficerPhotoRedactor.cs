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
        // One plate search: the plates read here are the ones redaction keeps or pixelates.
        var found = vision.DetectPlates(image);
        var plates = found.Select(p => vision.Read(image, p)).ToList();
        var reported = plates.Find(p => p.Text == reportedPlate) ?? plates.MaxBy(p => p.Box.Area);
        using var redaction = redactor.Redact(image, reported?.Box ?? default(Box), plates: found);
        if (redaction.People.Count == 0 && redaction.OtherPlates.Count == 0)
        {
            return photo.ToArray();
        }
        return contentType == "image/png"
            ? redaction.Image.ImEncode(".png")
            : Annotator.Encode(redaction.Image, JpegQuality);
    }
}
