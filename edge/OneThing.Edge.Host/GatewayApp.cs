using OneThing.Edge.Domain.Configuration;
using OneThing.Edge.Host.Audit;
using OneThing.Edge.Host.Configuration;
using OneThing.Edge.Host.Footage;
using OneThing.Edge.Host.WhatIf;
using OneThing.Edge.Host.OperatorConsole;
using OneThing.Edge.Host.Http;
using OneThing.Edge.Host.Officer;
using OneThing.Edge.Host.Pipeline;
using OneThing.Edge.CloudConnector;
using OneThing.Edge.Messaging;
using Quartz;
using OneThing.Edge.Storage;
using Microsoft.Extensions.Options;
using Serilog;

namespace OneThing.Edge.Host;

/// <summary>The composition root: configuration, logging, and one AddXyz() per module.</summary>
public static class GatewayApp
{
    public static WebApplication Build(string[] args, IEnumerable<string> extraConfigFiles)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        foreach (var file in extraConfigFiles)
        {
            builder.Configuration.AddJsonFile(Path.GetFullPath(file), optional: false, reloadOnChange: true);
        }
        // Site files sit below the environment and the command line, as appsettings.json does: secrets and
        // --set overrides set there always win.
        builder.Configuration.AddEnvironmentVariables();
        builder.Configuration.AddCommandLine(args);
        var configuration = builder.Configuration;

        builder.Services.AddSerilog((services, logger) => logger
            .ReadFrom.Configuration(configuration)
            .Enrich.FromLogContext()
            .WriteTo.Console(formatProvider: System.Globalization.CultureInfo.InvariantCulture, outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}")
            .WriteTo.File(
                Path.Combine(Path.GetFullPath(configuration["OneThing:DataDirectory"] ?? "data"), "logs", "edge-.log"),
                formatProvider: System.Globalization.CultureInfo.InvariantCulture,
                rollingInterval: RollingInterval.Day, retainedFileCountLimit: 14, fileSizeLimitBytes: 50_000_000, rollOnFileSizeLimit: true));

        builder.Services.AddOptions<SiteOptions>().Bind(configuration.GetSection(SiteOptions.Section)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<SiteOptions>, SiteOptionsValidation>();
        builder.Services.AddOptions<HttpOptions>().Bind(configuration.GetSection(HttpOptions.Section));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.WebHost.UseUrls(configuration[$"{HttpOptions.Section}:Urls"] ?? new HttpOptions().Urls);

        builder.Services
            .AddStorage(configuration)
            .AddPipeline(configuration)
            .AddFootage(configuration)
            .AddWhatIf()
            .AddMessaging(configuration)
            .AddCloudConnector(configuration)
            .AddConsole(configuration)
            .AddOfficer(configuration)
            .AddAuditAnchoring(configuration)
            .AddQuartzHostedService(quartz => quartz.WaitForJobsToComplete = true);

        var app = builder.Build();
        app.MapHealth().MapMqttWebSocket().MapConsole().MapTuning().MapOfficer().MapMetrics();
        return app;
    }
}
