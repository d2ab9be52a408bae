using Microsoft.Extensions.Options;

namespace OneThing.Edge.CloudConnector;

/// <summary>The traffic system and how the gateway talks to it (section <c>OneThing:TrafficSystem</c>).</summary>
public sealed class TrafficSystemOptions
{
    public const string Section = "OneThing:TrafficSystem";

    public string? BaseUrl { get; set; }

    /// <summary>Bearer token; best given as environment variable <c>OneThing__TrafficSystem__Token</c>.</summary>
    public string? Token { get; set; }

    /// <summary>Longest wait for one HTTP attempt.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Longest time one call may take with its immediate retries; later retries come from the outbox.</summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(8);

    /// <summary>Immediate retries inside one call (jittered exponential back-off).</summary>
    public int Retries { get; set; } = 2;

    /// <summary>How often the sweep job retries due messages; new cases go out at once without waiting for it.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Messages claimed per round trip to SQLite.</summary>
    public int BatchSize { get; set; } = 64;

    /// <summary>Calls in flight at once (different violations; one violation's messages stay in order).</summary>
    public int MaxConcurrency { get; set; } = 16;
}

/// <summary>Checks the configuration at start; each message names the key to fix.</summary>
public sealed class TrafficSystemOptionsValidator : IValidateOptions<TrafficSystemOptions>
{
    private const string Key = TrafficSystemOptions.Section + ":";

    public ValidateOptionsResult Validate(string? name, TrafficSystemOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.BaseUrl))
        {
            failures.Add($"{Key}BaseUrl is required: the traffic system's address, e.g. http://localhost:5080.");
        }
        else if (!Uri.TryCreate(options.BaseUrl, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            failures.Add($"{Key}BaseUrl must be an absolute http or https URL.");
        }
        if (string.IsNullOrWhiteSpace(options.Token))
        {
            failures.Add($"{Key}Token is required: the traffic system's bearer token (environment variable OneThing__TrafficSystem__Token).");
        }
        if (options.AttemptTimeout <= TimeSpan.Zero)
        {
            failures.Add($"{Key}AttemptTimeout must be positive.");
        }
        if (options.TotalTimeout < options.AttemptTimeout)
        {
            failures.Add($"{Key}TotalTimeout must be at least AttemptTimeout.");
        }
        if (options.Retries is < 0 or > 10)
        {
            failures.Add($"{Key}Retries must be between 0 and 10.");
        }
        if (options.SweepInterval <= TimeSpan.Zero)
        {
            failures.Add($"{Key}SweepInterval must be positive.");
        }
        if (options.BatchSize is < 1 or > 1000)
        {
            failures.Add($"{Key}BatchSize must be between 1 and 1000.");
        }
        if (options.MaxConcurrency is < 1 or > 256)
        {
            failures.Add($"{Key}MaxConcurrency must be between 1 and 256.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>How long finished cases are kept (section <c>OneThing:Retention</c>).</summary>
public sealed class RetentionOptions
{
    public const string Section = "OneThing:Retention";

    public bool Enabled { get; set; } = true;

    /// <summary>Delivered messages and cleared or closed cases older than this are deleted with their evidence files.</summary>
    public TimeSpan Period { get; set; } = TimeSpan.FromDays(30);

    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(6);
}
