namespace OneThing.Edge.Domain.Faults;

/// <summary>
/// Fault injection for the kill tests, and nothing else: when the environment variable <see cref="Variable"/> names one
/// of these points, the gateway process SIGKILLs itself the first time it gets there. A random kill rarely lands in
/// the narrow windows the crash-safety code exists for (between a commit and the next step); this makes the tests die
/// exactly there, as a real process death: no finally blocks, no disposal, no flush. Unset, it costs one comparison.
/// </summary>
public static class CrashPoint
{
    public const string Variable = "ONETHING_CRASH_AT";

    /// <summary>PdaReportStore: the report's rows are written but the transaction is not committed.</summary>
    public const string ReportUncommitted = "report-uncommitted";

    /// <summary>PdaIntake: the report is committed; no receipt, no case, no PUBACK yet.</summary>
    public const string ReportCommitted = "report-committed";

    /// <summary>PdaCaseFusion: the report's own case is recorded; the report is not linked to it yet.</summary>
    public const string PdaCaseRecorded = "pda-case-recorded";

    /// <summary>OutboxDispatcher: the traffic system answered; the outbox has not recorded it (still in flight).</summary>
    public const string DeliveryAnswered = "delivery-answered";

    private static readonly string? Armed = Environment.GetEnvironmentVariable(Variable);

    public static void Reached(string point)
    {
        if (Armed is not null && string.Equals(Armed, point, StringComparison.Ordinal))
        {
            // On Linux Process.Kill sends SIGKILL, to itself too.
            System.Diagnostics.Process.GetCurrentProcess().Kill();
        }
    }
}
