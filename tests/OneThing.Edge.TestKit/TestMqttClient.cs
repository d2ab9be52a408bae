using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace OneThing.Edge.TestKit;

/// <summary>A camera, PDA or observer in tests: a real MQTT 5 client that records what it receives.</summary>
public sealed class TestMqttClient : IAsyncDisposable
{
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();
    private readonly ConcurrentQueue<(string Topic, byte[] Payload, bool Retain)> _received = new();

    private TestMqttClient() =>
        _client.ApplicationMessageReceivedAsync += e =>
        {
            _received.Enqueue((e.ApplicationMessage.Topic, System.Buffers.BuffersExtensions.ToArray(e.ApplicationMessage.Payload), e.ApplicationMessage.Retain));
            return Task.CompletedTask;
        };

    public IMqttClient Client => _client;

    public static Task<TestMqttClient> ConnectAsync(int port, string clientId, string? username = null, string? password = null, bool cleanStart = true) =>
        ConnectAsync(Options(clientId, username, password, cleanStart).WithTcpServer("127.0.0.1", port));

    /// <summary>MQTT 5 over WebSocket, as a browser connects: <paramref name="uri"/> like `ws://127.0.0.1:8080/mqtt`.</summary>
    public static Task<TestMqttClient> ConnectOverWebSocketAsync(string uri, string clientId, string? username = null, string? password = null) =>
        ConnectAsync(Options(clientId, username, password, cleanStart: true).WithWebSocketServer(o => o.WithUri(uri)));

    /// <summary>A client's options without the server: MQTT 5, a 10 s timeout, a persistent session unless <paramref name="cleanStart"/>.</summary>
    public static MqttClientOptionsBuilder Options(string clientId, string? username, string? password, bool cleanStart = true)
    {
        var options = new MqttClientOptionsBuilder()
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId(clientId)
            .WithCleanStart(cleanStart)
            .WithTimeout(TimeSpan.FromSeconds(10));
        if (!cleanStart)
        {
            options.WithSessionExpiryInterval(3600);
        }
        if (username is not null)
        {
            options.WithCredentials(username, password ?? "");
        }
        return options;
    }

    private static async Task<TestMqttClient> ConnectAsync(MqttClientOptionsBuilder options)
    {
        var client = new TestMqttClient();
        var result = await client._client.ConnectAsync(options.Build());
        return result.ResultCode == MqttClientConnectResultCode.Success
            ? client
            : throw new InvalidOperationException($"connect refused: {result.ResultCode}");
    }

    public async Task SubscribeAsync(string filter, MqttQualityOfServiceLevel qos = MqttQualityOfServiceLevel.AtLeastOnce)
    {
        var result = await _client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(filter, qos).Build());
        var code = result.Items.Single().ResultCode;
        if ((int)code >= 0x80)
        {
            throw new InvalidOperationException($"subscribe to {filter} refused: {code}");
        }
    }

    public Task<MqttClientPublishResult> PublishAsync(string topic, byte[] payload, MqttQualityOfServiceLevel qos = MqttQualityOfServiceLevel.AtLeastOnce, params (string Name, string Value)[] properties)
    {
        var builder = new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(qos);
        foreach (var (name, value) in properties)
        {
            builder.WithUserProperty(name, Encoding.UTF8.GetBytes(value).AsMemory());
        }
        return _client.PublishAsync(builder.Build());
    }

    public IReadOnlyList<(string Topic, byte[] Payload, bool Retain)> Received => _received.ToArray();

    /// <summary>Waits until a message on <paramref name="topic"/> matches, and returns its JSON.</summary>
    public async Task<JsonElement> WaitForJsonAsync(string topic, Func<JsonElement, bool>? match = null, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (DateTime.UtcNow < deadline)
        {
            foreach (var (t, payload, _) in _received)
            {
                if (t != topic)
                {
                    continue;
                }
                var json = JsonDocument.Parse(payload).RootElement.Clone();
                if (match is null || match(json))
                {
                    return json;
                }
            }
            await Task.Delay(20);
        }
        var seen = string.Join("\n", _received.Select(m => m.Topic + " " + Encoding.UTF8.GetString(m.Payload.Take(300).ToArray())));
        throw new TimeoutException($"no matching message on {topic}; received:\n{seen}");
    }

    public bool IsConnected => _client.IsConnected;

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            await _client.DisconnectAsync();
        }
        _client.Dispose();
    }
}
