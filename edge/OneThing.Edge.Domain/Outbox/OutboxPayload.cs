using System.Text.Json;

namespace OneThing.Edge.Domain.Outbox;

/// <summary>The one JSON shape of outbox payloads, shared by the writer (storage) and the reader (dispatcher).</summary>
public static class OutboxPayload
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static string Serialize<T>(T payload) => JsonSerializer.Serialize(payload, Options);

    public static T Deserialize<T>(string payload) =>
        JsonSerializer.Deserialize<T>(payload, Options) ?? throw new JsonException($"Empty {typeof(T).Name} payload.");
}
