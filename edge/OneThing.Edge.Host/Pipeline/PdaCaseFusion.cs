using OneThing.Edge.Domain.Reports;

namespace OneThing.Edge.Host.Pipeline;

/// <summary>Accepted officer reports become cases or merge into camera cases.</summary>
public sealed class PdaCaseFusion : IPdaReportSink
{
    public ValueTask AcceptedAsync(PdaReport report, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
