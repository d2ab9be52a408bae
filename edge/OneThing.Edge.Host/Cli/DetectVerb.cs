using System.CommandLine;
using Microsoft.Extensions.Options;
using OneThing.Edge.Vision;

namespace OneThing.Edge.Host.Cli;

/// <summary>
/// `onething-edge detect`: images in, vehicles and plates out, for checking a camera's view or scoring the plate reader
/// on a labelled folder. The models and their settings come from the gateway's configuration, so it reads as `run` does.
/// </summary>
public static class DetectVerb
{
    public static Command Build()
    {
        var images = new Argument<string[]>("images") { Description = "JPEG or PNG files, or folders of them", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string?>("--out") { Description = "Write the annotated image here (JPEG); with several images, a folder for <name>.annotated.jpg" };
        var labels = new Option<string?>("--labels") { Description = "CSV with columns file,plate: prints whether each reading is exact and the plate accuracy (exact matches / labelled files)" };
        var models = new Option<string?>("--models") { Description = "Folder with the .onnx files (default: OneThing:Models:Directory from the configuration)" };
        var set = new Option<string[]>("--set") { Description = "Override a configuration key: --set OneThing:Models:Directory=/opt/models (repeatable)", AllowMultipleArgumentsPerToken = true };
        var config = new Option<string[]>("--config") { Description = "Extra JSON configuration file(s), applied after appsettings.json" };
        var command = new Command("detect", "Detect vehicles and read plates in images; prints boxes, scores and each image's plate reading, and with --labels the plate accuracy.")
        {
            images, output, labels, models, set, config,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            VisionOptions options;
            try
            {
                options = Options(parse.GetValue(set), parse.GetValue(config) ?? [], parse.GetValue(models));
            }
            catch (OptionsValidationException e)
            {
                foreach (var failure in e.Failures)
                {
                    await Console.Error.WriteLineAsync($"Configuration error: {failure}");
                }
                return RunVerb.ConfigurationError;
            }
            catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException)
            {
                await Console.Error.WriteLineAsync($"Configuration error: {e.Message}");
                return RunVerb.ConfigurationError;
            }
            return await DetectCommand.RunAsync(parse.GetValue(images)!, parse.GetValue(output), parse.GetValue(labels), options, Console.Out, cancellationToken);
        });
        return command;
    }

    /// <summary>
    /// The vision settings as the gateway binds them (same sources in the same order as <see cref="GatewayApp"/>:
    /// appsettings.json, --config files, environment, --set), with --models over all of them.
    /// </summary>
    private static VisionOptions Options(string[]? pairs, string[] configFiles, string? models)
    {
        var builder = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true);
        foreach (var file in configFiles)
        {
            builder.AddJsonFile(Path.GetFullPath(file), optional: false);
        }
        builder.AddEnvironmentVariables().AddCommandLine(RunVerb.Overrides(pairs));
        if (models is not null)
        {
            builder.AddInMemoryCollection([new(VisionOptions.ModelsDirectoryKey, models)]);
        }
        var configuration = builder.Build();
        using var services = new ServiceCollection().AddVision(configuration).BuildServiceProvider();
        var options = services.GetRequiredService<IOptions<VisionOptions>>().Value;
        options.ModelsDirectory = Path.GetFullPath(options.ModelsDirectory);
        return options;
    }
}
