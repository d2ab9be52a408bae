using System.Globalization;

namespace OneThing.Edge.TestKit;

/// <summary>The gateway's health and metrics endpoints, as a test (or an operator's scraper) reads them.</summary>
public static class GatewayHttp
{
    /// <summary>Whether /readyz answers success; false while the gateway is not listening yet.</summary>
    public static async Task<bool> ReadyAsync(HttpClient http)
    {
        try
        {
            using var response = await http.GetAsync(new Uri("/readyz", UriKind.Relative));
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    /// <summary>The sum of the /metrics series named <paramref name="name"/> with all of <paramref name="labels"/>.</summary>
    public static async Task<double> MetricAsync(HttpClient http, string name, params string[] labels) =>
        (await http.GetStringAsync(new Uri("/metrics", UriKind.Relative)))
            .Split('\n')
            .Where(line => line.StartsWith(name, StringComparison.Ordinal) && labels.All(l => line.Contains(l, StringComparison.Ordinal)))
            .Sum(line => double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
}
