namespace OneThing.Edge.Host.OperatorConsole;

/// <summary>`OneThing:Console`: who may open the operator console. No secret lives in appsettings; set these from the environment.</summary>
public sealed class ConsoleOptions
{
    public const string Section = "OneThing:Console";

    /// <summary>Operators, each with the SHA-256 (hex) of their token: `OneThing__Console__Operators__0__TokenSha256`.</summary>
    public List<OperatorOptions> Operators { get; set; } = [];

    /// <summary>A plain token for development and demos (`OneThing__Console__Token`); signs in as "operator".</summary>
    public string? Token { get; set; }

    /// <summary>Serve /metrics without login (Prometheus scrapes it); on by default, the console listens on loopback by default.</summary>
    public bool OpenMetrics { get; set; } = true;

    public int SessionHours { get; set; } = 12;

    /// <summary>Mark the session cookie Secure even when the request reached the gateway as HTTP (TLS ends at a proxy).</summary>
    public bool SecureCookie { get; set; }

    /// <summary>Shortest accepted <see cref="Token"/>: 16 characters, about 80 bits for a random one.</summary>
    public const int MinTokenLength = 16;
}

public sealed class OperatorOptions
{
    public string Name { get; set; } = "";
    public string TokenSha256 { get; set; } = "";
}

/// <summary>`OneThing:Risk`: how many cases in the window make a lane yellow or red, and how often it is rated.</summary>
public sealed class RiskOptions
{
    public const string Section = "OneThing:Risk";

    public double WindowHours { get; set; } = 24;
    public int YellowCases { get; set; } = 1;
    public int RedCases { get; set; } = 5;
    public int IntervalSeconds { get; set; } = 60;
}
