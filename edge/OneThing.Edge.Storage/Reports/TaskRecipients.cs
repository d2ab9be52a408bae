using OneThing.Edge.Domain.Cases;

namespace OneThing.Edge.Storage.Reports;

/// <summary>
/// Which PDAs each case's escalation task was sent to (`task_recipients`): only they may answer the task. Recorded
/// before the task is published, so an answer can never arrive ahead of its record, and kept across restarts.
/// </summary>
public sealed class TaskRecipients(SqliteDatabase database)
{
    /// <summary>
    /// Adds <paramref name="deviceIds"/> to the case's recipients with the task as published (<paramref name="taskJson"/>);
    /// a task sent again adds only new devices.
    /// </summary>
    public Task RecordAsync(Guid violationId, IEnumerable<string> deviceIds, DateTimeOffset sentAt, string taskJson, CancellationToken cancellationToken) =>
        database.InTransactionAsync(async (connection, transaction) =>
        {
            foreach (var device in deviceIds)
            {
                await using var insert = connection.CreateCommand();
                insert.Transaction = transaction;
                insert.CommandText = "INSERT OR IGNORE INTO task_recipients (violation_id, device_id, sent_at, task_json) VALUES ($v, $d, $at, $task)";
                insert.Parameters.AddWithValue("$v", violationId.ToString());
                insert.Parameters.AddWithValue("$d", device);
                insert.Parameters.AddWithValue("$at", SqliteTime.ToText(sentAt));
                insert.Parameters.AddWithValue("$task", taskJson);
                await insert.ExecuteNonQueryAsync(cancellationToken);
            }
            return true;
        }, cancellationToken);

    public async Task<bool> WasSentToAsync(Guid violationId, string deviceId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var query = connection.CreateCommand();
        query.CommandText = "SELECT EXISTS (SELECT 1 FROM task_recipients WHERE violation_id = $v AND device_id = $d)";
        query.Parameters.AddWithValue("$v", violationId.ToString());
        query.Parameters.AddWithValue("$d", deviceId);
        return (long)(await query.ExecuteScalarAsync(cancellationToken))! == 1;
    }

    /// <summary>The tasks (JSON as published) sent to <paramref name="deviceId"/> whose case is still escalated, oldest first.</summary>
    public async Task<IReadOnlyList<string>> OpenTasksAsync(string deviceId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var query = connection.CreateCommand();
        query.CommandText = """
            SELECT r.task_json FROM task_recipients r JOIN violations v ON v.id = r.violation_id
            WHERE r.device_id = $d AND v.state = $escalated AND r.task_json IS NOT NULL
            ORDER BY r.sent_at, r.violation_id
            """;
        query.Parameters.AddWithValue("$d", deviceId);
        query.Parameters.AddWithValue("$escalated", CaseLifecycle.Name(CaseState.Escalated));
        var tasks = new List<string>();
        await using var reader = await query.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            tasks.Add(reader.GetString(0));
        }
        return tasks;
    }
}
