using System.Collections.Concurrent;
using System.Text.Json;

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
        if (notice.Status == "sent")
        {
            LogSms(notice.CaseId, notice.Plate, notice.Phone, notice.Text);
        }
        else
        {
            LogNoOwner(notice.CaseId, notice.Plate);
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
