using System.CommandLine;
using OneThing.Edge.Host.Footage;
using OneThing.Edge.Storage;

namespace OneThing.Edge.Host.Cli;

/// <summary>
/// `onething-edge export-footage`: a camera's kept frames over a window as a scenario zip (scenario.json + frames/),
/// with its lanes and the operators' labels, to `replay` on another machine.
/// </summary>
public static class ExportFootageVerb
{
    public static Command Build()
    {
        var camera = new Option<string>("--camera") { Description = "Camera id", Required = true };
        var from = new Option<DateTimeOffset?>("--from") { Description = "Window start (RFC 3339; default: 24 hours before --to)" };
        var to = new Option<DateTimeOffset?>("--to") { Description = "Window end (RFC 3339; default: now)" };
        var output = new Option<string>("--out") { Description = "The zip to write", Required = true };
        var set = new Option<string[]>("--set") { Description = "Configuration as for run: --set OneThing:DataDirectory=data", AllowMultipleArgumentsPerToken = true };
        var config = new Option<string[]>("--config") { Description = "Extra JSON configuration file(s), as for run" };
        var command = new Command("export-footage", "Export a camera's kept frames over a window as a scenario zip for replay (unzip; replay scenario.json --samples .).")
        {
            camera, from, to, output, set, config,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var app = GatewayApp.Build(RunVerb.Overrides(parse.GetValue(set)).Append("--Serilog:MinimumLevel:Default=Error").ToArray(), parse.GetValue(config) ?? []);
            await app.Services.GetRequiredService<SqliteDatabase>().MigrateAsync(cancellationToken);
            var end = parse.GetValue(to) ?? DateTimeOffset.UtcNow;
            var path = Path.GetFullPath(parse.GetValue(output)!);
            try
            {
                await using var file = File.Create(path);
                var frames = await app.Services.GetRequiredService<FootageExport>().WriteAsync(parse.GetValue(camera)!, parse.GetValue(from) ?? end.AddDays(-1), end, file, cancellationToken);
                Console.WriteLine($"{frames} frames of camera {parse.GetValue(camera)} written to {path}");
                return 0;
            }
            catch (InvalidDataException e)
            {
                File.Delete(path);
                await Console.Error.WriteLineAsync(e.Message);
                return 2;
            }
        });
        return command;
    }
}
