using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OneThing.Edge.Messaging.Transport;

namespace OneThing.Edge.Messaging.Security;

public static class BrokerSecurityServiceCollectionExtensions
{
    /// <summary>
    /// The embedded broker's access policy and TLS: <see cref="DeviceAccessPolicy"/> when `OneThing:Mqtt:Devices` lists
    /// any device, else <see cref="OpenAccessPolicy"/>. A policy registered earlier (tests) wins. <see cref="DeviceRoles"/>
    /// checks senders' roles for either broker.
    /// </summary>
    public static IServiceCollection AddBrokerSecurity(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<BrokerSecurityOptions>().Bind(configuration.GetSection(MqttOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<BrokerSecurityOptions>, BrokerSecurityOptionsValidation>();
        services.TryAddSingleton<BrokerRefusals>();
        services.AddSingleton(sp => new BrokerTls(sp.GetRequiredService<IOptions<BrokerSecurityOptions>>().Value));
        services.AddSingleton(sp => new DeviceAcl(sp.GetRequiredService<TopicContract>()));
        services.AddSingleton(sp => new DeviceRoles(
            sp.GetRequiredService<IOptions<BrokerSecurityOptions>>().Value.Devices,
            sp.GetRequiredService<BrokerRefusals>(),
            sp.GetRequiredService<ILogger<DeviceRoles>>()));

        var devicesConfigured = configuration.GetSection(MqttOptions.Section).GetSection(nameof(BrokerSecurityOptions.Devices)).GetChildren().Any();
        if (devicesConfigured)
        {
            services.TryAddSingleton<IBrokerAccessPolicy>(sp => new DeviceAccessPolicy(
                sp.GetRequiredService<IOptions<BrokerSecurityOptions>>().Value.Devices,
                sp.GetRequiredService<DeviceAcl>(),
                sp.GetRequiredService<BrokerRefusals>(),
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<DeviceAccessPolicy>>()));
        }
        else
        {
            services.TryAddSingleton<IBrokerAccessPolicy, OpenAccessPolicy>();
        }
        return services;
    }
}
