using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OneThing.Edge.Storage;
using OneThing.Edge.Storage.Outbox;
using OneThing.Edge.TestKit;
using Xunit;

namespace OneThing.Edge.CloudConnector.Tests;

public sealed class ConfigurationTests
{
    [Theory]
    [InlineData(null, "t", "OneThing:TrafficSystem:BaseUrl is required")]
    [InlineData("ftp://x", "t", "OneThing:TrafficSystem:BaseUrl must be an absolute http or https URL")]
    [InlineData("http://localhost:5080", null, "OneThing:TrafficSystem:Token is required")]
    public async Task The_gateway_does_not_start_with_a_bad_traffic_system_setting_and_names_the_key(string? baseUrl, string? token, string expected)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["OneThing:TrafficSystem:BaseUrl"] = baseUrl,
            ["OneThing:TrafficSystem:Token"] = token,
        });
        var directory = TestPaths.NewTempDirectory("onething-config");
        builder.Services.AddSingleton(new SqliteDatabase(Path.Combine(directory, "edge.db")));
        builder.Services.AddSingleton(new FileStore(Path.Combine(directory, "evidence")));
        builder.Services.AddViolationOutbox(builder.Configuration);
        builder.Services.AddCloudConnector(builder.Configuration);
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
