using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using OneThing.Edge.TestKit;

namespace OneThing.Edge.Vision.Tests;

public sealed class ManifestTests
{
    private static JsonElement[] Files()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "models", "manifest.json")));
        return [.. doc.RootElement.GetProperty("files").EnumerateArray().Select(e => e.Clone())];
    }

    [Fact]
    public void Every_manifest_entry_matches_the_model_files_by_size_and_sha256()
    {
        var files = Files();
        Assert.Equal(9, files.Length);
        foreach (var f in files)
        {
            var path = Path.Combine(TestPaths.Models, f.GetProperty("file").GetString()!);
            var bytes = File.ReadAllBytes(path);
            Assert.Equal(f.GetProperty("size").GetInt64(), bytes.LongLength);
            Assert.Equal(f.GetProperty("sha256").GetString(), Convert.ToHexStringLower(SHA256.HashData(bytes)));
            Assert.False(string.IsNullOrWhiteSpace(f.GetProperty("licence").GetString()));
        }
    }

    [Fact]
    public void Manifest_input_names_and_shapes_match_the_models()
    {
        foreach (var f in Files().Where(f => f.TryGetProperty("input", out _)))
        {
            using var session = new InferenceSession(Path.Combine(TestPaths.Models, f.GetProperty("file").GetString()!));
            var input = f.GetProperty("input");
            var (name, meta) = session.InputMetadata.Single();
            Assert.Equal(input.GetProperty("name").GetString(), name);
            var shape = input.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray();
            Assert.Equal(shape.Length, meta.Dimensions.Length);
            Assert.All(meta.Dimensions.Zip(shape), d => Assert.True(d.First < 0 || d.First == d.Second, $"{name}: {d.First} vs {d.Second}"));
            Assert.Equal(f.GetProperty("output").GetProperty("name").GetString(), session.OutputMetadata.Keys.Single());
            Assert.True(File.Exists(Path.Combine(TestPaths.Models, f.GetProperty("labels").GetString()!)));
        }
    }
}
