using System.Collections.Concurrent;
using System.Text.Json;
using OneThing.Edge.Domain.Plates;

namespace OneThing.TrafficSystem.Simulator;

/// <summary>
/// Where the simulator "sends" SMS: a structured log line with the masked phone, a JSON line appended to a file,
/// and the list behind <c>GET /api/v1/notices</c>.
/// </summary>
public sealed partial class NoticeSink(ILogger<NoticeSink> logger, string? filePath)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly ConcurrentQueue<Notice> _notices = new();
    private readonly Lock _fileLock = new();

    public IReadOnlyList<Notice> All => [.. _notices];

    public void Send(Notice notice)
    {
        _notices.Enqueue(notice);
        var debug = logger.IsEnabled(LogLevel.Debug);
        var plate = PlateMask.ForLog(notice.Plate, debug);
        if (notice.Status == "sent")
        {
            // The SMS text names the plate too.
            var text = string.IsNullOrEmpty(notice.Plate) ? notice.Text : notice.Text.Replace(notice.Plate, plate, StringComparison.Ordinal);
            LogSms(notice.CaseId, plate, notice.Phone, text);
        }
        else
        {
            LogNoOwner(notice.CaseId, plate);
        }
        if (filePath is not null)
        {
            var line = JsonSerializer.Serialize(notice, Json) + "\n";
            lock (_fileLock)
            {
                File.AppendAllText(filePath, line);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "SMS case {CaseId} plate {Plate} to {Phone}: {Text}")]
    private partial void LogSms(string caseId, string? plate, string? phone, string text);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No SMS for case {CaseId}: no registered owner for plate {Plate}")]
    private partial void LogNoOwner(string caseId, string? plate);
}
