using System.CommandLine;
using OneThing.Edge.Vision;

namespace OneThing.Edge.Host.Cli;

/// <summary>`onething-edge detect`: one image in, vehicles and plates out, for checking a camera's view.</summary>
public static class DetectVerb
{
    public static Command Build()
    {
        var image = new Argument<string>("image") { Description = "A JPEG or PNG image" };
        var output = new Option<string?>("--out") { Description = "Write the annotated image here (JPEG)" };
        var models = new Option<string>("--models") { Description = "Folder with the .onnx files (OneThing:Models:Directory)", DefaultValueFactory = _ => "models/onnx" };
        var command = new Command("detect", "Detect vehicles and read plates in one image; prints boxes and scores, writes an annotated image.") { image, output, models };
        command.SetAction((parse, cancellationToken) => DetectCommand.RunAsync(
            parse.GetValue(image)!, parse.GetValue(output), new VisionOptions { ModelsDirectory = Path.GetFullPath(parse.GetValue(models)!) }, Console.Out, cancellationToken));
        return command;
    }
}
