namespace OneThing.Edge.Domain.Reports;

/// <summary>Checks that bytes are a decodable image within the size limits (implemented by the vision module).</summary>
public interface IImageProbe
{
    /// <returns>null when the bytes decode as an image no larger than <paramref name="maxSide"/> px a side, else why not.</returns>
    string? Problem(ReadOnlySpan<byte> data, int maxSide);
}
