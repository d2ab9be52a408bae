using System.Text.Json;
using Microsoft.Extensions.Options;
using OneThing.Edge.Domain.Cases;
using OneThing.Edge.Messaging;
using OneThing.Edge.Messaging.Contracts;
using OneThing.Edge.Messaging.Transport;
using OneThing.Edge.Storage.Reports;

namespace OneThing.Edge.Host.Cases;

/// <summary>`OneThing:Clearance`: how long the car may stay after the notice, and which officers get the task.</summary>
public sealed class ClearanceOptions
{
    public const string Section = "OneThing:Clearance";

    public double WatchMinutes { get; set; } = 15;

    /// <summary>PDA device ids of the officers on duty for this site; each gets escalation tasks.</summary>
    public List<string> OfficerDevices { get; set; } = [];

    public double TaskDueMinutes { get; set; } = 30;
}

/// <summary>
/// Sends a case to the officers' PDAs as an <see cref="OfficerTask"/> (QoS 1, queued for offline devices), after
/// recording who it went to: only they may answer it (<see cref="TaskAnswers"/>).
/// </summary>
public sealed class OfficerTasks(IGatewayBus bus, TopicContract topics, TaskRecipients recipients, IOptionsMonitor<ClearanceOptions> options)
{
    /// <returns>How many officers the task went to.</returns>
    public async Task<int> SendAsync(ViolationCase stored, string reason, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var violation = stored.Violation;
        var task = new OfficerTask(
            OfficerTask.IdOf(violation.Id), violation.Id, violation.LaneId, violation.Plate,
            new TaskLocation(topics.SiteId, violation.CameraId, violation.LaneId),
            [.. violation.Evidence.Select(e => new TaskEvidence(e.Kind, e.Sha256, e.CapturedAt))],
            reason, at.AddMinutes(options.CurrentValue.TaskDueMinutes));
        var payload = JsonSerializer.SerializeToUtf8Bytes(task, PdaJson.Options);
        var officers = options.CurrentValue.OfficerDevices;
        await recipients.RecordAsync(violation.Id, officers, at, System.Text.Encoding.UTF8.GetString(payload), cancellationToken);
        foreach (var device in officers)
        {
            await bus.PublishAsync(topics.Tasks(device), payload, retain: false, cancellationToken);
        }
        return officers.Count;
    }
}
