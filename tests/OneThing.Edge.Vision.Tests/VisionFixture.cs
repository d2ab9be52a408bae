using Microsoft.Extensions.Options;
using OneThing.Edge.TestKit;
using OpenCvSharp;

namespace OneThing.Edge.Vision.Tests;

/// <summary>The real models, loaded once for every end-to-end test (sessions are shared as in production).</summary>
public sealed class VisionFixture : IDisposable
{
    public VisionFixture()
    {
        Options = new VisionOptions { ModelsDirectory = TestPaths.Models, Workers = 2 };
        var wrapped = Microsoft.Extensions.Options.Options.Create(Options);
        Vehicles = new YoloxVehicleDetector(wrapped);
        Plates = new PlateDetector(wrapped);
        Reader = new PlateReader(wrapped);
        Colors = new PlateColorClassifier(wrapped);
        Vision = new VehicleVision(Vehicles, Plates, Reader, Colors, wrapped);
    }

    public VisionOptions Options { get; }
    public YoloxVehicleDetector Vehicles { get; }
    public PlateDetector Plates { get; }
    public PlateReader Reader { get; }
    public PlateColorClassifier Colors { get; }
    public VehicleVision Vision { get; }
    public FrameDecoder Decoder { get; } = new(new FrameLimits());

    public Mat Load(params string[] sample) => Decoder.Decode(File.ReadAllBytes(TestPaths.Sample(sample)));

    public void Dispose()
    {
        Vehicles.Dispose();
        Plates.Dispose();
        Reader.Dispose();
        Colors.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class VisionCollection : ICollectionFixture<VisionFixture>
{
    public const string Name = "real models";
}

/// <summary>samples/ground_truth.csv: file -> plate text column.</summary>
public static class GroundTruth
{
    private static readonly Lazy<Dictionary<string, string[]>> Rows = new(Load);

    public static string Plates(string file) => Rows.Value[file][4];

    public static IEnumerable<string> Files(string kind) => Rows.Value.Where(r => r.Value[1] == kind).Select(r => r.Key);

    private static Dictionary<string, string[]> Load()
    {
        var rows = new Dictionary<string, string[]>();
        foreach (var line in File.ReadLines(TestPaths.Sample("ground_truth.csv")).Skip(1))
        {
            var fields = Split(line);
            rows[fields[0]] = fields;
        }
        return rows;
    }

    private static string[] Split(string line)
    {
        var fields = new List<string>();
        var current = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var ch = line[i];
            if (quoted && ch == '"' && i + 1 < line.Length && line[i + 1] == '"')
            {
                current.Append('"');
                i++;
            }
            else if (ch == '"')
            {
                quoted = !quoted;
            }
            else if (ch == ',' && !quoted)
            {
                fields.Add(current.ToString());
                current.Clear();
            }
            else
            {
                current.Append(ch);
            }
        }
        fields.Add(current.ToString());
        return [.. fields];
    }
}
