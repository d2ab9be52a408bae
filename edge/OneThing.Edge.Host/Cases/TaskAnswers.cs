using OneThing.Edge.Domain.Cases;
using OneThing.Edge.Domain.Plates;
using OneThing.Edge.Domain.Reports;
using OneThing.Edge.Messaging.Contracts;
using OneThing.Edge.Storage.Reports;
using OneThing.Edge.Storage.Violations;

namespace OneThing.Edge.Host.Cases;

/// <summary>
/// Who may answer an escalation task (a report with `taskId: task-{violationId}`, which tickets the case): a device
/// the task was sent to, while the case is escalated, with the case's plate (any plate when the camera could not read
/// one: the officer reads it on site). Anything else is refused with `not-your-task`, the reason naming the task. Plates
/// in a reason are masked (it is logged and stored): a device the task went to is told which plate the task expects as
/// far as to compare it with the task it holds; a device it did not go to learns nothing of the case.
/// </summary>
public sealed class TaskAnswers(TaskRecipients recipients, ViolationStore violations, PdaReportStore reports)
{
    /// <returns>Why the report may not answer its task, or null (it names no task, or may answer it).</returns>
    public async ValueTask<string?> RefusalAsync(PdaReport report, CancellationToken cancellationToken)
    {
        if (report.TaskId is not { } taskId)
        {
            return null;
        }
        // A report stored before gets its first outcome again (`duplicate`), even when the case has moved on since.
        if (await reports.FindAsync(report.ReportId, cancellationToken) is not null)
        {
            return null;
        }
        if (OfficerTask.ViolationOf(taskId) is not { } violationId)
        {
            return $"taskId '{taskId[..Math.Min(taskId.Length, 60)]}' is not a task of this gateway";
        }
        if (!await recipients.WasSentToAsync(violationId, report.DeviceId, cancellationToken))
        {
            return $"task {taskId} was not sent to {report.DeviceId}";
        }
        var stored = await violations.GetAsync(violationId, cancellationToken);
        if (stored is not { State: CaseState.Escalated })
        {
            return $"task {taskId} is no longer open: its case is {(stored is null ? "gone" : CaseLifecycle.Name(stored.State))}";
        }
        if (stored.Violation.Plate is { } plate && plate != report.Plate)
        {
            return $"the report's plate {PlateMask.Mask(report.Plate)} is not task {taskId}'s {PlateMask.Mask(plate)}: compare with the task on this device";
        }
        return null;
    }
}
