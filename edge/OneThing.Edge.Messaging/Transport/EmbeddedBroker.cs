using System.Net;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Protocol;
using MQTTnet.Server;
using OneThing.Edge.Domain;
using OneThing.Edge.Messaging.Pda;
using OneThing.Edge.Messaging.Security;

namespace OneThing.Edge.Messaging.Transport;

/// <summary>
/// `Mqtt:Mode=Embedded`: the gateway is the broker. The publish interceptor, which the broker awaits before it sends
/// PUBACK, hands a PDA's report to the <see cref="PdaReportQueue"/> and waits for that one intake attempt: the report
/// is acknowledged only once it is committed, and one that could not be stored gets an error reason code so the PDA
/// resends it (`QuotaExceeded`, reason `storage-full`, when the disk is full). The broker runs one client's messages
/// in order and different clients' at once, so this holds up only that PDA; frames are queued without waiting.
/// </summary>
public sealed partial class EmbeddedBroker(
    MqttOptions options,
    Lazy<InboundRouter> router,
    GatewayStatus status,
    IBrokerAccessPolicy accessPolicy,
    BrokerTls tls,
    ConnectionGate gate,
    GuardedTcpServerAdapter listener,
    BrokerRefusals refusals,
    ClientQueueBudget queueBudget,
    ILogger<EmbeddedBroker> logger) : IHostedService, IGatewayBus, IAsyncDisposable
{
    /// <summary>Sender of the gateway's own publishes; no device may connect under this id (it bypasses the ACL).</summary>
    public const string GatewayClientId = "onething-gateway";

    /// <summary>Prefix of ids the broker assigns to clients that sent none; reserved, no device may choose such an id.</summary>
    public const string AssignedClientIdPrefix = "auto-";
    private MqttServer? _server;

    public bool IsConnected => _server?.IsStarted == true;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var builder = new MqttServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(IPAddress.Parse(options.BindAddress))
            .WithDefaultEndpointPort(options.Port)
            .WithPersistentSessions()
            .WithMaxPendingMessagesPerClient(options.MaxQueuedPerDevice)
            .WithPendingMessagesOverflowStrategy(MqttPendingMessagesOverflowStrategy.DropOldestQueuedMessage);
        tls.Apply(builder, IPAddress.Parse(options.BindAddress));
        _server = new MqttServerFactory().CreateMqttServer(builder.Build(), [listener]);
        _server.ValidatingConnectionAsync += ValidateConnectionAsync;
        _server.InterceptingSubscriptionAsync += accessPolicy.ValidateSubscriptionAsync;
        _server.InterceptingPublishAsync += OnPublishAsync;
        queueBudget.Attach(_server);
        await _server.StartAsync();
        await PublishAsync(status.Topic, status.Online(), retain: true, cancellationToken);
        LogStarted(options.BindAddress, options.Port);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is { IsStarted: true })
        {
            await PublishAsync(status.Topic, status.Offline(), retain: true, cancellationToken);
            await _server.StopAsync(new MqttServerStopOptions());
        }
    }

    public async Task PublishAsync(string topic, ReadOnlyMemory<byte> payload, bool retain, CancellationToken cancellationToken)
    {
        if (_server is not { IsStarted: true })
        {
            throw new InvalidOperationException("The embedded broker is not running.");
        }
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayloadSegment(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag(retain)
            .Build();
        await _server.InjectApplicationMessage(new InjectedMqttApplicationMessage(message) { SenderClientId = GatewayClientId }, cancellationToken);
    }

    private async Task ValidateConnectionAsync(ValidatingConnectionEventArgs e)
    {
        // MQTT lets a client send an empty id and have the server assign one (mosquitto_pub and _sub do by default).
        // Assigned before the access policy runs, so the policy never records "" as one device's id.
        if (string.IsNullOrEmpty(e.ClientId))
        {
            e.AssignedClientIdentifier = AssignedClientIdPrefix + Guid.NewGuid().ToString("N");
        }
        // A password check costs ~0.1 s of a core: a bounded number run at once, the others wait their turn within
        // the connection's login deadline, so a flood of logins cannot take the cores from the cameras.
        using (var turn = await gate.EnterPasswordCheckAsync(gate.LoginOf(e.ChannelAdapter)))
        {
            if (turn is null)
            {
                e.ReasonCode = MqttConnectReasonCode.ServerBusy;
                refusals.Add(RefusalKind.Connect, ConnectRefusal.PasswordChecksBusy);
                return;
            }
            await accessPolicy.ValidateConnectionAsync(e);
        }
        if (e.ReasonCode == MqttConnectReasonCode.Success)
        {
            gate.LoggedIn(e.ChannelAdapter);
        }
    }

    private async Task OnPublishAsync(InterceptingPublishEventArgs e)
    {
        if (e.ClientId == GatewayClientId)
        {
            return;
        }
        // The ACL first, then the gateway's own check of the sender's role (in the router).
        var outcome = accessPolicy.MayPublish(e)
            ? await router.Value.RouteAsync(e.ApplicationMessage, e.UserName, e.CancellationToken)
            : IntakeOutcome.Refused;
        if (outcome == IntakeOutcome.Committed)
        {
            return;
        }
        // The reason string starts with a stable code a PDA can act on: both storage failures mean "resend this report later".
        e.ProcessPublish = false;
        (e.Response.ReasonCode, e.Response.ReasonString) = outcome switch
        {
            IntakeOutcome.Refused => (MqttPubAckReasonCode.NotAuthorized, null),
            IntakeOutcome.StorageFull => (MqttPubAckReasonCode.QuotaExceeded, $"{StorageFullException.Code}: the gateway's disk is full; report not stored, resend it later"),
            _ => (MqttPubAckReasonCode.ImplementationSpecificError, "not-stored: report not stored; resend it later"),
        };
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.StopAsync(new MqttServerStopOptions());
            _server.Dispose();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Embedded MQTT broker listening on {Address}:{Port}")]
    private partial void LogStarted(string address, int port);
}
