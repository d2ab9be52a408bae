using System.CommandLine;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using OneThing.Edge.Domain.Audit;
using OneThing.Edge.Storage;
using OneThing.Edge.Storage.Audit;

namespace OneThing.Edge.Host.Cli;

/// <summary>
/// `onething-edge verify-audit`: walks the hash-chained audit log and every evidence file it names, optionally against
/// the anchors the traffic system holds; or, with --bundle, checks a case export with no database at all.
/// </summary>
public static class VerifyAuditVerb
{
    /// <summary>Exit code when the chain or an evidence file was edited, removed or reordered.</summary>
    public const int Tampered = 1;

    /// <summary>Where the anchors' bearer token is read from when --token is not given (the gateway's own setting).</summary>
    public const string TokenVariable = "OneThing__TrafficSystem__Token";

    public static Command Build()
    {
        var data = new Option<string>("--data") { Description = "The gateway's data directory (OneThing:DataDirectory)", DefaultValueFactory = _ => "data" };
        var head = new Option<string?>("--head") { Description = "A head published earlier, as SEQ:HASH; entries cut off the end are then detected too" };
        var anchors = new Option<string?>("--anchors")
        {
            Description = "The traffic system's anchors of this gateway instance: a URL (https://host/api/v1/audit-anchors/SITE/INSTANCE, INSTANCE being its Mqtt:ClientId) or a JSON file of them; a chain rewritten with recomputed hashes is then detected too",
        };
        var token = new Option<string?>("--token") { Description = $"Bearer token for an --anchors URL (default: environment variable {TokenVariable})" };
        var bundle = new Option<string?>("--bundle") { Description = "Verify a case export zip (from export-case or the console) instead of a data directory" };
        var command = new Command("verify-audit", "Verify the audit log or a case export: reports the first entry or evidence file that was edited, removed or reordered, and exits 1.")
        {
            data, head, anchors, token, bundle,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            IReadOnlyList<AuditAnchor>? held = null;
            if (parse.GetValue(anchors) is { } source)
            {
                try
                {
                    held = await LoadAnchorsAsync(source, parse.GetValue(token) ?? Environment.GetEnvironmentVariable(TokenVariable), cancellationToken);
                }
                catch (Exception e) when (e is HttpRequestException or IOException or JsonException or UnauthorizedAccessException)
                {
                    await Console.Error.WriteLineAsync($"Cannot read the anchors from {source}: {e.Message}");
                    return 2;
                }
                // Each instance of a site keeps its own chain: another instance's anchors would name a rewrite that is not there.
                if (held.Select(a => (a.SiteId, a.InstanceId)).Distinct().Count() > 1)
                {
                    await Console.Error.WriteLineAsync($"The anchors from {source} are of several gateway instances ({string.Join(", ", held.Select(a => $"{a.SiteId}/{a.InstanceId}").Distinct())}); give one instance's (.../audit-anchors/SITE/INSTANCE).");
                    return 2;
                }
            }
            return parse.GetValue(bundle) is { } zip
                ? await VerifyBundleAsync(zip, held, cancellationToken)
                : await VerifyDataAsync(Path.GetFullPath(parse.GetValue(data)!), parse.GetValue(head), held, cancellationToken);
        });
        return command;
    }

    private static async Task<int> VerifyDataAsync(string directory, string? headText, IReadOnlyList<AuditAnchor>? anchors, CancellationToken cancellationToken)
    {
        var database = Path.Combine(directory, "edge.db");
        if (!File.Exists(database))
        {
            await Console.Error.WriteLineAsync($"No gateway database at {database} (--data names the data directory).");
            return 2;
        }
        AuditHead? known = null;
        if (headText is not null)
        {
            var parts = headText.Split(':');
            if (parts.Length != 2 || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var seq))
            {
                await Console.Error.WriteLineAsync("--head must be SEQ:HASH");
                return 2;
            }
            known = new AuditHead(seq, parts[1]);
        }
        var log = new AuditLog(new SqliteDatabase(database), TimeProvider.System);
        var result = await log.VerifyAsync(new FileStore(Path.Combine(directory, "files")), cancellationToken, known, anchors);
        if (result.FirstFailure is { } failure)
        {
            Console.WriteLine($"TAMPERED: entry {failure.Sequence}: {failure.Reason}: {failure.Detail} ({result.EntriesChecked} entries intact before it)");
            return Tampered;
        }
        var current = await log.HeadAsync(cancellationToken);
        var against = anchors is null ? "" : $" and {anchors.Count} anchors held by the traffic system";
        Console.WriteLine($"OK: {result.EntriesChecked} entries and their evidence files verified{against}; head {current?.Sequence}:{current?.EntryHash}");
        return 0;
    }

    private static async Task<int> VerifyBundleAsync(string path, IReadOnlyList<AuditAnchor>? anchors, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            await Console.Error.WriteLineAsync($"No case export at {Path.GetFullPath(path)}.");
            return 2;
        }
        await using var zip = File.OpenRead(path);
        BundleReport report;
        try
        {
            report = await CaseBundle.VerifyAsync(zip, anchors, cancellationToken);
        }
        catch (InvalidDataException e)
        {
            await Console.Error.WriteLineAsync($"{path} is not a zip: {e.Message}");
            return 2;
        }
        Console.WriteLine(report.Ok ? $"OK: {report.Summary}" : $"TAMPERED: {report.Failure}");
        return report.Ok ? 0 : Tampered;
    }

    /// <summary>Anchors from the traffic system (GET, bearer token) or from a file holding the same JSON array.</summary>
    private static async Task<IReadOnlyList<AuditAnchor>> LoadAnchorsAsync(string source, string? token, CancellationToken cancellationToken)
    {
        if (Uri.TryCreate(source, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps))
        {
            using var http = new HttpClient();
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            if (!string.IsNullOrEmpty(token))
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }
            using var response = await http.SendAsync(request, cancellationToken);
            response.EnsureSuccessStatusCode();
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            return await JsonSerializer.DeserializeAsync<List<AuditAnchor>>(body, JsonSerializerOptions.Web, cancellationToken) ?? [];
        }
        await using var file = File.OpenRead(source);
        return await JsonSerializer.DeserializeAsync<List<AuditAnchor>>(file, JsonSerializerOptions.Web, cancellationToken) ?? [];
    }
}
