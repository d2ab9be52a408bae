using OneThing.Edge.TestKit;
using Xunit;

namespace OneThing.Edge.Host.Tests;

/// <summary>`onething-edge detect` as an operator runs it on a labelled folder, the models named by configuration.</summary>
public sealed class DetectVerbTests
{
    private static async Task<GatewayProcess> DetectAsync(params string[] args)
    {
        var detect = GatewayProcess.Start("detect", args);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await detect.WaitForExitAsync(timeout.Token);
        return detect;
    }

    [Fact]
    public async Task A_labelled_folder_prints_each_reading_and_the_accuracy_and_a_corrupt_file_does_not_stop_the_others()
    {
        var folder = TestPaths.NewTempDirectory("detect");
        foreach (var file in new[] { "ccpd_rpnet_demo_2.jpg", "ccpd_rpnet_demo_3.jpg" })
        {
            File.Copy(TestPaths.Sample("plates", file), Path.Combine(folder, file));
        }
        // Sorts first, so the others are read after it failed.
        var whole = await File.ReadAllBytesAsync(TestPaths.Sample("plates", "ccpd_rpnet_demo_0.jpg"));
        await File.WriteAllBytesAsync(Path.Combine(folder, "a-cut-off.jpg"), whole[..(whole.Length / 2)]);
        var labels = Path.Combine(TestPaths.NewTempDirectory("labels"), "labels.csv");
        await File.WriteAllTextAsync(labels, "file,plate\nccpd_rpnet_demo_2.jpg,皖AT022C\nccpd_rpnet_demo_3.jpg,皖AMK620\n");

        await using var detect = await DetectAsync(folder, "--labels", labels, "--set", $"OneThing:Models:Directory={TestPaths.Models}");

        var output = detect.Output;
        Assert.Contains("a-cut-off.jpg: cannot decode: truncated", output, StringComparison.Ordinal);
        Assert.Contains("reading: 皖AT022C", output, StringComparison.Ordinal);
        Assert.Contains("reading: 皖AMK620", output, StringComparison.Ordinal);
        Assert.Contains("plate accuracy: 2/2 = 1.000 (exact plate matches / labelled files)", output, StringComparison.Ordinal);
        Assert.Equal(1, detect.ExitCode); // one file could not be read
    }

    [Fact]
    public async Task Without_a_models_folder_in_the_configuration_it_names_the_key()
    {
        await using var detect = await DetectAsync(TestPaths.Sample("plates", "ccpd_rpnet_demo_2.jpg"), "--set", "OneThing:Models:Directory=/nonexistent/models");
        Assert.Equal(2, detect.ExitCode);
        Assert.Contains("OneThing:Models:Directory", detect.Output, StringComparison.Ordinal);
    }
}
