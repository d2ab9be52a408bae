using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OneThing.Edge.Domain.Configuration;
using OneThing.Edge.Domain.Frames;
using OneThing.Edge.Domain.Reports;
using OneThing.Edge.Messaging.Frames;
using OneThing.Edge.Messaging.Pda;
using OneThing.Edge.Messaging.Security;
using OneThing.Edge.Messaging.Transport;

namespace OneThing.Edge.Messaging;

public static class MessagingServiceCollectionExtensions
{
    /// <summary>
    /// MQTT for the gateway: the embedded broker or an external-broker client (by `OneThing:Mqtt:Mode`), camera frame
    /// ingress and PDA intake. Needs <see cref="SiteOptions"/>, an <see cref="IFrameSink"/>, an <see cref="IPdaReportStore"/>,
    /// an <see cref="IPdaReportSink"/> and an <see cref="IImageProbe"/> from the other modules.
    /// </summary>
    public static IServiceCollection AddMessaging(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<MqttOptions>().Bind(configuration.GetSection(MqttOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<MqttOptions>>().Value);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<IngressCounters>();
        services.AddSingleton(sp => new TopicContract(sp.GetRequiredService<MqttOptions>().TopicPrefix, sp.GetRequiredService<IOptions<SiteOptions>>().Value.SiteId));
        services.AddSingleton<GatewayStatus>();
        services.AddSingleton(sp => new FrameIngress(
            sp.GetRequiredService<IOptions<SiteOptions>>().Value.Cameras.Select(c => c.Id),
            sp.GetRequiredService<IFrameSink>(),
            sp.GetRequiredService<IngressCounters>(),
            sp.GetRequiredService<MqttOptions>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<FrameIngress>>()));
        services.AddHostedService(sp => sp.GetRequiredService<FrameIngress>());
        services.AddSingleton(sp =>
        {
            var site = sp.GetRequiredService<IOptionsMonitor<SiteOptions>>();
            return new PdaReportParser(
                sp.GetRequiredService<MqttOptions>(),
                () => site.CurrentValue.LaneIds.ToHashSet(StringComparer.Ordinal),
                sp.GetRequiredService<IImageProbe>(),
                sp.GetRequiredService<TimeProvider>());
        });
        services.AddSingleton<PdaIntake>();
        // Registered before the broker, so it stops after it: the broker no longer hands over while the queue winds down.
        services.AddSingleton<PdaReportQueue>();
        services.AddHostedService(sp => sp.GetRequiredService<PdaReportQueue>());
        services.AddSingleton<InboundRouter>();
        services.AddSingleton(sp => new Lazy<InboundRouter>(sp.GetRequiredService<InboundRouter>));
        services.AddBrokerSecurity(configuration);
        // Both modes: its password-check turns also bound the officer app's HTTP logins.
        services.AddSingleton<ConnectionGate>();
        services.AddSingleton<RetainedMessages>();

        var mode = configuration.GetSection(MqttOptions.Section).GetValue(nameof(MqttOptions.Mode), MqttMode.Embedded);
        if (mode == MqttMode.External)
        {
            services.AddSingleton<ExternalBrokerClient>();
            services.AddSingleton<IGatewayBus>(sp => sp.GetRequiredService<ExternalBrokerClient>());
            services.AddHostedService(sp => sp.GetRequiredService<ExternalBrokerClient>());
        }
        else
        {
            services.AddSingleton<GuardedTcpServerAdapter>();
            services.AddSingleton<ClientQueueBudget>();
            services.AddSingleton<EmbeddedBroker>();
            services.AddSingleton<IGatewayBus>(sp => sp.GetRequiredService<EmbeddedBroker>());
            services.AddHostedService(sp => sp.GetRequiredService<EmbeddedBroker>());
        }
        return services;
    }
}
