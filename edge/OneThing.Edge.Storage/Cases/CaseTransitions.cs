using Microsoft.Data.Sqlite;
using OneThing.Edge.Domain.Audit;
using OneThing.Edge.Domain.Cases;
using OneThing.Edge.Storage.Audit;

namespace OneThing.Edge.Storage.Cases;

/// <summary>
/// Every change of a stored case's state goes through here: the step is checked against <see cref="CaseLifecycle"/>,
/// and the new state and its audit entry are written in the caller's transaction, so they commit together.
/// </summary>
// Built by each owner, not in DI: stateless over an AuditLog, and ViolationStore and SqliteOutbox are also built
// without one registered (AddViolationOutbox alone in the cloud connector and benchmarks; directly in tests).
public sealed class CaseTransitions(AuditLog audit, TimeProvider time)
{
    /// <summary>
    /// Applies <paramref name="step"/>. An illegal step throws <see cref="IllegalCaseTransitionException"/> when
    /// <paramref name="refuseIllegal"/>, else changes nothing and returns null (e.g. a late receipt for a case that
    /// has moved on keeps its state).
    /// </summary>
    public async Task<CaseTransition?> ApplyAsync(
        SqliteConnection connection, SqliteTransaction transaction, Guid caseId, CaseStep step, string? reason, bool refuseIllegal,
        CancellationToken cancellationToken)
    {
        var from = await StateAsync(connection, transaction, caseId, cancellationToken)
            ?? throw new InvalidOperationException($"Violation {caseId} is not recorded.");
        var to = refuseIllegal ? CaseLifecycle.Apply(caseId, from, step) : CaseLifecycle.TryApply(from, step);
        if (to is not { } next)
        {
            return null;
        }
        await using (var update = connection.CreateCommand())
        {
            update.Transaction = transaction;
            update.CommandText = "UPDATE violations SET state = $state, updated_at = $now WHERE id = $id";
            update.Parameters.AddWithValue("$state", CaseLifecycle.Name(next));
            update.Parameters.AddWithValue("$now", SqliteTime.ToText(time.GetUtcNow()));
            update.Parameters.AddWithValue("$id", caseId.ToString());
            await update.ExecuteNonQueryAsync(cancellationToken);
        }
        var payload = new CaseTransitionPayload(caseId, CaseLifecycle.Name(from), step.ToString(), CaseLifecycle.Name(next), reason);
        await audit.AppendAsync(AuditKinds.CaseTransition, payload, connection, transaction, cancellationToken);
        return new CaseTransition(from, step, next);
    }

    public static async Task<CaseState?> StateAsync(SqliteConnection connection, SqliteTransaction? transaction, Guid caseId, CancellationToken cancellationToken)
    {
        await using var read = connection.CreateCommand();
        read.Transaction = transaction;
        read.CommandText = "SELECT state FROM violations WHERE id = $id";
        read.Parameters.AddWithValue("$id", caseId.ToString());
        return await read.ExecuteScalarAsync(cancellationToken) is string state ? CaseLifecycle.Parse(state) : null;
    }

    /// <summary>`$open0, $open1, ...` bound to the open states' names, for `state IN (...)` in a query.</summary>
    public static string BindStates(SqliteCommand command, string prefix, IReadOnlyList<CaseState> states)
    {
        for (var i = 0; i < states.Count; i++)
        {
            command.Parameters.AddWithValue($"${prefix}{i}", CaseLifecycle.Name(states[i]));
        }
        return string.Join(", ", states.Select((_, i) => $"${prefix}{i}"));
    }
}
