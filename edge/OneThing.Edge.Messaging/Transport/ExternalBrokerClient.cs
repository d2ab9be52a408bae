using System.Security.Authentication;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using OneThing.Edge.Domain.Configuration;
using OneThing.Edge.Messaging.Pda;

namespace OneThing.Edge.Messaging.Transport;

/// <summary>
/// `Mqtt:Mode=External` (Mosquitto, EMQX): one MQTT 5 client with a persistent session, so QoS 1 reports published
/// while the gateway was away are delivered when it returns. A small reconnect loop replaces v4's managed client:
/// ping, back off, reconnect, resubscribe. The message handler only hands reports to the <see cref="PdaReportQueue"/>,
/// which acknowledges each after its commit; frames never wait behind a report. Frames are subscribed per configured
/// camera, so an instance never receives the cameras of another instance on the broker.
/// </summary>
public sealed partial class ExternalBrokerClient : BackgroundService, IGatewayBus
{
    private static readonly TimeSpan PingInterval = TimeSpan.FromSeconds(2);

    private readonly MqttOptions _options;
    private readonly TopicContract _topics;
    private readonly Lazy<InboundRouter> _router;
    private readonly GatewayStatus _status;
    private readonly RetainedMessages _retained;
    private readonly TimeProvider _time;
    private readonly ILogger<ExternalBrokerClient> _logger;
    private readonly IMqttClient _client;
    private readonly string[] _cameraIds;
    private long _connection;
    private CancellationToken _stopping;

    public ExternalBrokerClient(MqttOptions options, TopicContract topics, IOptions<SiteOptions> site, Lazy<InboundRouter> router, GatewayStatus status, RetainedMessages retained, TimeProvider time, ILogger<ExternalBrokerClient> logger)
    {
        _options = options;
        // The cameras at start, as frame ingress makes its queues at start: a new camera needs a restart anyway.
        _cameraIds = [.. site.Value.Cameras.Select(c => c.Id)];
        _topics = topics;
        _router = router;
        _status = status;
        _retained = retained;
        _time = time;
        _logger = logger;
        _client = new MqttClientFactory().CreateMqttClient();
        _client.ApplicationMessageReceivedAsync += OnMessageAsync;
    }

    public bool IsConnected => _client.IsConnected;

    public string ClientId => _options.SessionClientId(_topics.SiteId);

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

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _stopping = stoppingToken;
        return Reconnect.RunAsync(
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
    }

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
            // The broker sends no more unacknowledged reports than the report queue holds, so a hand-over normally finds room.
            .WithReceiveMaximum((ushort)_options.ReportQueueCapacity)
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

        Interlocked.Increment(ref _connection);
        var result = await _client.ConnectAsync(builder.Build(), cancellationToken);
        if (result.ResultCode != MqttClientConnectResultCode.Success)
        {
            throw new InvalidOperationException($"Broker refused the connection: {result.ResultCode} {result.ReasonString}");
        }

        if (result.IsSessionPresent)
        {
            // Sessions of earlier versions subscribed every camera with a wildcard; it would outlive the upgrade.
            var legacy = new MqttClientUnsubscribeOptionsBuilder();
            foreach (var filter in new[] { _topics.Frames("+"), Shared(_topics.Frames("+")) }.Distinct())
            {
                legacy.WithTopicFilter(filter);
            }
            await _client.UnsubscribeAsync(legacy.Build(), cancellationToken);
        }
        var subscriptions = new MqttClientSubscribeOptionsBuilder().WithTopicFilter(Shared(_topics.ReportsFilter), MqttQualityOfServiceLevel.AtLeastOnce);
        foreach (var camera in _cameraIds)
        {
            var frames = _topics.Frames(camera);
            subscriptions.WithTopicFilter(_options.SharedFrames ? Shared(frames) : frames, MqttQualityOfServiceLevel.AtMostOnce);
        }
        var granted = await _client.SubscribeAsync(subscriptions.Build(), cancellationToken);
        foreach (var refused in granted.Items.Where(i => (int)i.ResultCode >= 0x80))
        {
            LogSubscriptionRefused(refused.TopicFilter.Topic, refused.ResultCode.ToString());
        }
        await PublishAsync(_status.Topic, _status.Online(), retain: true, cancellationToken);
        foreach (var (topic, payload) in _retained.Latest)
        {
            await PublishAsync(topic, payload, retain: true, cancellationToken);
        }
        LogConnected(_options.Host, _options.Port, result.IsSessionPresent);
    }

    private string Shared(string filter) => _options.SharedGroup is { Length: > 0 } group ? $"$share/{group}/{filter}" : filter;

    private async Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        var connection = Interlocked.Read(ref _connection);
        // A report stays unacknowledged until the queue has committed it, so the broker keeps it in the session.
        e.AutoAcknowledge = !await _router.Value.HandOverAsync(e.ApplicationMessage, ct => AcknowledgeAsync(e, connection, ct), _stopping);
    }

    private Task AcknowledgeAsync(MqttApplicationMessageReceivedEventArgs e, long connection, CancellationToken cancellationToken)
    {
        // MQTTnet sends a late PUBACK on whatever connection is current, where the packet id may name another message.
        // A report from a dropped connection is redelivered by the session instead, and answered duplicate.
        if (connection != Interlocked.Read(ref _connection) || !_client.IsConnected)
        {
            LogAcknowledgementSkipped(e.PacketIdentifier);
            return Task.CompletedTask;
        }
        return e.AcknowledgeAsync(cancellationToken);
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

    [LoggerMessage(Level = LogLevel.Error, Message = "MQTT broker refused the subscription to {TopicFilter}: {Reason}")]
    private partial void LogSubscriptionRefused(string topicFilter, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stored report (packet {PacketId}) not acknowledged: its connection dropped; the broker redelivers it")]
    private partial void LogAcknowledgementSkipped(ushort packetId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Clean MQTT disconnect failed: {Reason}")]
    private partial void LogDisconnectFailed(string reason);
}
