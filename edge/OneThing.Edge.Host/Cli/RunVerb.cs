using System.CommandLine;
using Microsoft.Extensions.Options;
using Serilog;

namespace OneThing.Edge.Host.Cli;

/// <summary>`onething-edge run`: the gateway, until Ctrl+C or SIGTERM.</summary>
public static class RunVerb
{
    /// <summary>Exit code for a configuration error (the message names the key).</summary>
    public const int ConfigurationError = 2;

    public static Command Build()
    {
        var set = new Option<string[]>("--set") { Description = "Override a configuration key: --set OneThing:SiteId=demo (repeatable)", AllowMultipleArgumentsPerToken = true };
        var config = new Option<string[]>("--config") { Description = "Extra JSON configuration file(s), applied after appsettings.json" };
        var command = new Command("run", "Run the gateway: MQTT ingestion, detection, violations, traffic-system forwarding.") { set, config };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var app = GatewayApp.Build(Overrides(parse.GetValue(set)), parse.GetValue(config) ?? []);
            try
            {
                await app.RunAsync(cancellationToken);
                return 0;
            }
            catch (OptionsValidationException e)
            {
                foreach (var failure in e.Failures)
                {
                    Log.Fatal("Configuration error: {Problem}", failure);
                }
                return ConfigurationError;
            }
        });
        return command;
    }

    /// <summary>"--set Key=Value" pairs as command-line configuration arguments.</summary>
    public static string[] Overrides(string[]? pairs) =>
        (pairs ?? []).Select(p => p.Contains('=', StringComparison.Ordinal) ? "--" + p : throw new ArgumentException($"--set expects Key=Value, got '{p}'")).ToArray();
}
