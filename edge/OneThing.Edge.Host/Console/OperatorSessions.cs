using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace OneThing.Edge.Host.OperatorConsole;

/// <summary>
/// Signs operators in with a token and keeps their sessions in memory (a restart signs everyone out). A request is
/// let in with the session cookie or with `Authorization: Bearer {token}` (scripts). A session remembers the hash
/// of the token that opened it and ends as soon as that token is no longer configured (an operator removed).
/// </summary>
public sealed class OperatorSessions(IOptionsMonitor<ConsoleOptions> options, TimeProvider time)
{
    public const string CookieName = "onething-console";
    private readonly ConcurrentDictionary<string, Session> _sessions = new(StringComparer.Ordinal);

    private sealed record Session(string Operator, byte[] TokenHash, DateTimeOffset ExpiresAt);

    public bool IsConfigured => options.CurrentValue is { } o && (!string.IsNullOrEmpty(o.Token) || o.Operators.Count > 0);

    /// <summary>The operator whose token this is, or null. Compares hashes in fixed time.</summary>
    public string? Authenticate(string? token) =>
        string.IsNullOrEmpty(token) ? null : OperatorOf(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private string? OperatorOf(byte[] hash)
    {
        var current = options.CurrentValue;
        string? found = null;
        foreach (var op in current.Operators)
        {
            if (op.TokenSha256.Length == 64 && op.TokenSha256.All(char.IsAsciiHexDigit)
                && CryptographicOperations.FixedTimeEquals(hash, Convert.FromHexString(op.TokenSha256)))
            {
                found ??= op.Name;
            }
        }
        if (!string.IsNullOrEmpty(current.Token)
            && CryptographicOperations.FixedTimeEquals(hash, SHA256.HashData(Encoding.UTF8.GetBytes(current.Token))))
        {
            found ??= "operator";
        }
        return found;
    }

    public string Open(string operatorName, string token)
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(token));
        _sessions[id] = new Session(operatorName, hash, time.GetUtcNow().AddHours(options.CurrentValue.SessionHours));
        foreach (var stale in _sessions.Where(s => s.Value.ExpiresAt <= time.GetUtcNow()).Select(s => s.Key).ToList())
        {
            _sessions.TryRemove(stale, out _);
        }
        return id;
    }

    public void Close(string? sessionId)
    {
        if (sessionId is not null)
        {
            _sessions.TryRemove(sessionId, out _);
        }
    }

    /// <summary>The operator behind this request, or null.</summary>
    public string? Operator(HttpContext context)
    {
        if (context.Request.Cookies.TryGetValue(CookieName, out var id) && _sessions.TryGetValue(id, out var session))
        {
            // Checked on every request, so removing a token from configuration ends its sessions at the next reload.
            if (session.ExpiresAt > time.GetUtcNow() && OperatorOf(session.TokenHash) == session.Operator)
            {
                return session.Operator;
            }
            _sessions.TryRemove(id, out _);
            return null;
        }
        var header = context.Request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? Authenticate(header["Bearer ".Length..].Trim()) : null;
    }
}

/// <summary>Endpoint filter: 401 unless the request comes from a signed-in operator.</summary>
public sealed class OperatorRequired(OperatorSessions sessions) : IEndpointFilter
{
    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        sessions.Operator(context.HttpContext) is null
            ? ValueTask.FromResult<object?>(Results.Json(new { error = "login required" }, statusCode: StatusCodes.Status401Unauthorized))
            : next(context);
}
