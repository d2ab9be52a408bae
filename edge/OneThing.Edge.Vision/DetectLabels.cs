namespace OneThing.Edge.Vision;

/// <summary>
/// The expected plate per image for <c>detect --labels</c>: a CSV with columns file,plate (a header row is optional;
/// files are matched by name, so the labels can list a folder's files without their paths).
/// </summary>
public sealed class DetectLabels
{
    private readonly Dictionary<string, string> _plates;

    private DetectLabels(Dictionary<string, string> plates) => _plates = plates;

    public int Count => _plates.Count;

    public static DetectLabels Load(string path)
    {
        var plates = new Dictionary<string, string>(StringComparer.Ordinal);
        var number = 0;
        foreach (var line in File.ReadLines(path))
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }
            var fields = line.Split(',');
            if (fields.Length < 2)
            {
                throw new InvalidDataException($"{path} line {number}: expected file,plate");
            }
            var (file, plate) = (Path.GetFileName(fields[0].Trim().Trim('"')), fields[1].Trim().Trim('"'));
            if (number == 1 && file.Equals("file", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            plates[file] = plate;
        }
        return new DetectLabels(plates);
    }

    public string? PlateOf(string imagePath) => _plates.GetValueOrDefault(Path.GetFileName(imagePath));
}
