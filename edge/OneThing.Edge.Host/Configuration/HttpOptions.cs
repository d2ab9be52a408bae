namespace OneThing.Edge.Host.Configuration;

/// <summary>`OneThing:Http`: where the operator console, health and metrics listen.</summary>
public sealed class HttpOptions
{
    public const string Section = "OneThing:Http";

    public string Urls { get; set; } = "http://127.0.0.1:8080";
}
