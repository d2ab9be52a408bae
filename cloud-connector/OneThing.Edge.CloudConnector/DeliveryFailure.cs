using System.Net;
using System.Text.Json;
using Polly.CircuitBreaker;
using Polly.Timeout;
using Refit;

namespace OneThing.Edge.CloudConnector;

/// <summary>How a failed call to the traffic system is read: whether a retry can help, and the reason in one line.</summary>
internal static class DeliveryFailure
{
    /// <summary>
    /// 4xx answers that no retry can change. 401/403 (token), 408 and 429 are not among them: fixing the token or
    /// waiting helps, and the maximum age still bounds the retries.
    /// </summary>
    internal static bool IsPermanent(HttpStatusCode status) => status is HttpStatusCode.BadRequest or HttpStatusCode.NotFound
        or HttpStatusCode.Gone or HttpStatusCode.RequestEntityTooLarge or HttpStatusCode.UnsupportedMediaType or HttpStatusCode.UnprocessableEntity;

    /// <summary>A transport failure in one line: the innermost cause says most (e.g. "Connection refused").</summary>
    internal static string Describe(Exception e)
    {
        var cause = e;
        while (cause.InnerException is not null && cause is not TimeoutRejectedException and not BrokenCircuitException)
        {
            cause = cause.InnerException;
        }
        return ReferenceEquals(cause, e) ? $"{e.GetType().Name}: {e.Message}" : $"{e.GetType().Name}: {e.Message} ({cause.GetType().Name})";
    }

    /// <summary>The problem details of a rejection in one line: the field errors if any, else the title, else the body.</summary>
    internal static string Describe(ApiException e)
    {
        var content = e.Content;
        if (string.IsNullOrWhiteSpace(content))
        {
            return e.ReasonPhrase ?? "no body";
        }
        try
        {
            using var problem = JsonDocument.Parse(content);
            var root = problem.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object)
            {
                return string.Join("; ", errors.EnumerateObject().Select(field =>
                    $"{field.Name}: {string.Join(" ", field.Value.ValueKind == JsonValueKind.Array ? field.Value.EnumerateArray().Select(m => m.ToString()) : [field.Value.ToString()])}"));
            }
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("title", out var title))
            {
                return title.ToString();
            }
        }
        catch (JsonException)
        {
            // not JSON: fall through to the raw text
        }
        return content.Length <= 500 ? content : content[..500];
    }
}
