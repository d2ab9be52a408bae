using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OneThing.Edge.Domain.Engine;
using OneThing.Edge.Domain.Tracking;
using OneThing.Edge.TestKit;
using Xunit;

namespace OneThing.Edge.Host.Tests;

/// <summary>`OneThing:Engine` as the gateway composes it: bound from configuration, refused at start when invalid.</summary>
public sealed class EngineOptionsTests
{
    [Fact]
    public async Task Engine_and_tracker_keys_on_the_command_line_reach_the_options()
    {
        string[] args =
        [
            .. new GatewaySettings().ToArgs(),
            "--OneThing:Engine:Tracker:MaxMissSeconds=12",
            "--OneThing:Engine:Tracker:HighScore=0.6",
            "--OneThing:Engine:PlateReadingsWanted=7",
            "--OneThing:Engine:ReidentifyIoU=0.4",
        ];
        await using var app = GatewayApp.Build(args, []);

        var options = app.Services.GetRequiredService<IOptions<ViolationEngineOptions>>().Value;
        Assert.Equal(12, options.Tracker.MaxMissSeconds);
        Assert.Equal(0.6f, options.Tracker.HighScore);
        Assert.Equal(7, options.PlateReadingsWanted);
        Assert.Equal(0.4, options.ReidentifyIoU);
        // Keys not set keep their defaults, the tracker's included.
        Assert.Equal(new TrackerOptions().IouThreshold, options.Tracker.IouThreshold);
        Assert.Equal(new ViolationEngineOptions().MaxPlateRequests, options.MaxPlateRequests);
        Assert.Equal(options, app.Services.GetRequiredService<IOptionsMonitor<ViolationEngineOptions>>().CurrentValue);
    }

    [Fact]
    public async Task An_invalid_engine_value_stops_the_gateway_with_exit_code_2_naming_the_key()
    {
        var settings = new GatewaySettings();
        settings["OneThing:Engine:Tracker:IouThreshold"] = "1.5";
        await using var gateway = GatewayProcess.Start("run", settings.ToProcessArgs());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60)); // a refused configuration exits at once
        await gateway.WaitForExitAsync(timeout.Token);

        Assert.Equal(2, gateway.ExitCode);
        Assert.Contains("OneThing:Engine:Tracker:IouThreshold must be above 0 and at most 1 (got 1.5)", gateway.Output, StringComparison.Ordinal);
    }
}
