using System.Security.Authentication;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace OneThing.Edge.Messaging.Transport;

/// <summary>
/// `Mqtt:Mode=External` (Mosquitto, EMQX): one MQTT 5 client with a persistent session, so QoS 1 reports published
/// while the gateway was away are delivered when it returns. A small reconnect loop replaces v4's managed client:
/// ping, back off, reconnect, resubscribe. Reports are acknowledged manually, after they are committed.
/// </summary>
public sealed partial class ExternalBrokerClient : BackgroundService, IGatewayBus
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan PingInterval = TimeSpan.FromSeconds(2);

    private readonly MqttOptions _options;
    private readonly TopicContract _topics;
    private readonly Lazy<InboundRouter> _router;
    private readonly GatewayStatus _status;
    private readonly TimeProvider _time;
    private readonly ILogger<ExternalBrokerClient> _logger;
    private readonly IMqttClient _client;

    public ExternalBrokerClient(MqttOptions options, TopicContract topics, Lazy<InboundRouter> router, GatewayStatus status, TimeProvider time, ILogger<ExternalBrokerClient> logger)
    {
        _options = options;
        _topics = topics;
        _router = router;
        _status = status;
        _time = time;
        _logger = logger;
        _client = new MqttClientFactory().CreateMqttClient();
        _client.ApplicationMessageReceivedAsync += OnMessageAsync;
    }

    public bool IsConnected => _client.IsConnected;

    public string ClientId => _options.ClientId ?? $"onething-edge-{_topics.SiteId}";

    public async Task PublishAsync(string topic, ReadOnlyMemory<byte> payload, bool retain, CancellationToken cancellationToken)
    {
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayloadSegment(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag(retain)
            .Build();
        var result = await _client.PublishAsync(message, cancellationToken);
        if (!result.IsSuccess)
        {
            throw new InvalidOperationException($"Broker refused publish to {topic}: {result.ReasonCode} {result.ReasonString}");
        }
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Reconnect.RunAsync(
            async cancellationToken =>
            {
                if (!await _client.TryPingAsync(cancellationToken))
                {
                    await ConnectAsync(cancellationToken);
                }
                await Task.Delay(PingInterval, _time, cancellationToken);
                return true;
            },
            (e, delay) =>
            {
                LogConnectFailed(_options.Host, _options.Port, delay.TotalSeconds, e.Message);
                return true;
            },
            _time, stoppingToken);

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (_client.IsConnected)
        {
            try
            {
                await PublishAsync(_status.Topic, _status.Offline(), retain: true, cancellationToken);
                await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build(), cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogDisconnectFailed(e.Message);
            }
        }
    }

    private async Task ConnectAsync(CancellationToken cancellationToken)
    {
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(_options.Host, _options.Port)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId(ClientId)
            .WithCleanStart(false)
            .WithSessionExpiryInterval(_options.SessionExpirySeconds)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(15))
            .WithTimeout(TimeSpan.FromSeconds(10))
            .WithWillTopic(_status.Topic)
            .WithWillPayload(_status.Offline())
            .WithWillRetain(true)
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        if (_options.Username is { Length: > 0 })
        {
            builder.WithCredentials(_options.Username, _options.Password ?? "");
        }
        if (_options.UseTls)
        {
            builder.WithTlsOptions(tls => tls
                .UseTls()
                .WithSslProtocols(SslProtocols.Tls12 | SslProtocols.Tls13)
                .WithAllowUntrustedCertificates(_options.AllowUntrustedCertificates)
                .WithIgnoreCertificateChainErrors(_options.AllowUntrustedCertificates)
                .WithCertificateValidationHandler(_options.AllowUntrustedCertificates ? _ => true : null!));
        }

        var result = await _client.ConnectAsync(builder.Build(), cancellationToken);
        if (result.ResultCode != MqttClientConnectResultCode.Success)
        {
            throw new InvalidOperationException($"Broker refused the connection: {result.ResultCode} {result.ReasonString}");
        }

        var reports = _options.SharedGroup is { Length: > 0 } group ? $"$share/{group}/{_topics.ReportsFilter}" : _topics.ReportsFilter;
        await _client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(_topics.FramesFilter, MqttQualityOfServiceLevel.AtMostOnce)
            .WithTopicFilter(reports, MqttQualityOfServiceLevel.AtLeastOnce)
            .Build(), cancellationToken);
        await PublishAsync(_status.Topic, _status.Online(), retain: true, cancellationToken);
        LogConnected(_options.Host, _options.Port, result.IsSessionPresent);
    }

    private async Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        e.AutoAcknowledge = false;
        var backoff = TimeSpan.FromMilliseconds(500);
        // A report that cannot be stored yet (disk full, database locked) is retried here and stays unacknowledged,
        // so the broker keeps it; after a restart it is redelivered from the persistent session.
        while (!await _router.Value.RouteAsync(e.ApplicationMessage, CancellationToken.None))
        {
            if (!_client.IsConnected)
            {
                return;
            }
            await Task.Delay(backoff, _time);
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
        }
        await e.AcknowledgeAsync(CancellationToken.None);
    }

    public override void Dispose()
    {
        _client.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Connected to MQTT broker {Host}:{Port} (session present: {SessionPresent})")]
    private partial void LogConnected(string host, int port, bool sessionPresent);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT broker {Host}:{Port} not reachable, retrying in {Seconds} s: {Reason}")]
    private partial void LogConnectFailed(string host, int port, double seconds, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Clean MQTT disconnect failed: {Reason}")]
    private partial void LogDisconnectFailed(string reason);
}
