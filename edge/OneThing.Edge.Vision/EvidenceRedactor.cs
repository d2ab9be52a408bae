using OneThing.Edge.Domain.Geometry;
using OpenCvSharp;

namespace OneThing.Edge.Vision;

/// <summary>A redacted copy of an evidence image and what was pixelated in it (image pixels).</summary>
public sealed record Redaction(Mat Image, IReadOnlyList<Box> People, IReadOnlyList<Box> OtherPlates, Box? CitedPlate) : IDisposable
{
    public void Dispose() => Image.Dispose();
}

/// <summary>
/// Makes the copy of an evidence image that leaves the site: people (the vehicle model's person class) and every
/// plate but the cited car's are pixelated beyond reading; the cited car's plate is left exactly as taken, even
/// where a person's box covers it (the driver). The original is not changed.
/// </summary>
public sealed class EvidenceRedactor(IVehicleDetector personDetector, IPlateDetector plateDetector)
{
    /// <summary>Plate boxes grow by this share per side before pixelating, so no character edge stays legible.</summary>
    private const float PlateMargin = 0.15f;

    /// <summary>At most this many mosaic cells across a region's shorter side.</summary>
    private const int CellsAcross = 5;

    /// <param name="cited">The cited vehicle (or, on a close-up, its plate) in image pixels: its best plate is kept.</param>
    /// <param name="people">
    /// The people in this very image when the caller already knows them (the analysis' detector run on the same frame),
    /// in image pixels; null to look for them here.
    /// </param>
    /// <param name="plates">
    /// The plate detector's findings on this very image when the caller already ran it (an officer's photo read for its
    /// plate, a frame the analysis searched whole), in image pixels; null to look for them here.
    /// </param>
    public Redaction Redact(Mat image, Box cited, IReadOnlyList<Box>? people = null, IReadOnlyList<PlateDetection>? plates = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        people ??= personDetector.DetectPeople(image);
        var found = plates ?? plateDetector.Detect(image);
        var citedPlate = found.Where(p => Contains(cited, p.Box.Center)).OrderByDescending(p => p.Score).FirstOrDefault();
        var others = found.Where(p => !ReferenceEquals(p, citedPlate)).Select(p => p.Box.Expand(PlateMargin)).ToList();

        var copy = image.Clone();
        foreach (var region in people.Concat(others))
        {
            Pixelate(copy, region);
        }
        if (citedPlate is not null)
        {
            var keep = ToRect(citedPlate.Box.ClampTo(image.Width, image.Height));
            if (keep.Width > 0 && keep.Height > 0)
            {
                using var from = new Mat(image, keep);
                using var to = new Mat(copy, keep);
                from.CopyTo(to);
            }
        }
        return new Redaction(copy, people, others, citedPlate?.Box);
    }

    /// <summary>A coarse mosaic (area-averaged cells, drawn back as blocks): what was there cannot be read back.</summary>
    private static void Pixelate(Mat image, Box region)
    {
        var r = ToRect(region.ClampTo(image.Width, image.Height));
        if (r.Width < 2 || r.Height < 2)
        {
            return;
        }
        var cell = Math.Max(6, Math.Min(r.Width, r.Height) / CellsAcross);
        using var roi = new Mat(image, r);
        using var cells = new Mat();
        Cv2.Resize(roi, cells, new Size(Math.Max(1, r.Width / cell), Math.Max(1, r.Height / cell)), 0, 0, InterpolationFlags.Area);
        Cv2.Resize(cells, roi, r.Size, 0, 0, InterpolationFlags.Nearest);
    }

    /// <summary>The pixels the box touches (rounded outwards).</summary>
    private static Rect ToRect(Box b)
    {
        int x = (int)MathF.Floor(b.X1), y = (int)MathF.Floor(b.Y1);
        return new Rect(x, y, (int)MathF.Ceiling(b.X2) - x, (int)MathF.Ceiling(b.Y2) - y);
    }

    private static bool Contains(Box b, PointF p) => p.X >= b.X1 && p.X <= b.X2 && p.Y >= b.Y1 && p.Y <= b.Y2;
}
