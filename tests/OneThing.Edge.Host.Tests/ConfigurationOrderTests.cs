using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OneThing.Edge.TestKit;
using Xunit;

namespace OneThing.Edge.Host.Tests;

public sealed class ConfigurationOrderTests
{
    [Fact]
    public async Task A_site_file_is_below_the_environment_and_the_command_line()
    {
        var file = Path.Combine(TestPaths.NewTempDirectory("config-order"), "site.json");
        await File.WriteAllTextAsync(file, """{ "OneThing": { "Clearance": { "TaskDueMinutes": 11, "WatchMinutes": 12 }, "Fusion": { "MergeWindowMinutes": 13 } } }""");
        // Keys no other test sets: the environment is process-wide.
        Environment.SetEnvironmentVariable("OneThing__Clearance__TaskDueMinutes", "21");
        Environment.SetEnvironmentVariable("OneThing__Fusion__MergeWindowMinutes", "23");
        try
        {
            await using var app = GatewayApp.Build(["--OneThing:Fusion:MergeWindowMinutes=33"], [file]);
            var configuration = app.Services.GetRequiredService<IConfiguration>();
            Assert.Equal("12", configuration["OneThing:Clearance:WatchMinutes"]);       // file only
            Assert.Equal("21", configuration["OneThing:Clearance:TaskDueMinutes"]);     // environment over file
            Assert.Equal("33", configuration["OneThing:Fusion:MergeWindowMinutes"]);    // command line over both
        }
        finally
        {
            Environment.SetEnvironmentVariable("OneThing__Clearance__TaskDueMinutes", null);
            Environment.SetEnvironmentVariable("OneThing__Fusion__MergeWindowMinutes", null);
        }
    }
}
