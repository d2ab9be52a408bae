using OneThing.Edge.Domain.Geometry;

namespace OneThing.Edge.Domain.Detections;

/// <summary>One vehicle the detector found in a frame; <see cref="Label"/> is the model's best class (car, bus, truck, ...).</summary>
public sealed record VehicleDetection(Box Box, float Score, string Label);

/// <summary>
/// A plate found and read: its box and 4 corners (TL, TR, BR, BL) in frame pixels, the cleaned text,
/// the reader's confidence and whether the text matches the plate format.
/// </summary>
public sealed record PlateReading(
    string Text,
    float Confidence,
    bool IsValid,
    Box Box,
    IReadOnlyList<PointF> Corners,
    float DetectionScore,
    bool DoubleLayer,
    string? Color = null)
{
    /// <summary>The reader's confidence in each character of <see cref="Text"/>; null when only the mean is known.</summary>
    public IReadOnlyList<float>? CharConfidences { get; init; }

    /// <summary>How sure the reader was of the character at <paramref name="position"/>: its own confidence, else the mean.</summary>
    public float ConfidenceAt(int position) =>
        CharConfidences is { } c && c.Count == Text.Length ? c[position] : Confidence;
}
