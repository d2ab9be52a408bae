using System.Text.Json;
using System.Text.Json.Serialization;

namespace OneThing.Edge.Messaging;

/// <summary>JSON on the wire: camelCase names, kebab-case enum values (accepted, left-after-notice), no nulls.</summary>
public static class PdaJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };
}
