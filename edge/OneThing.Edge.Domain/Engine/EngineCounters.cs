namespace OneThing.Edge.Domain.Engine;

/// <summary>Running totals of one camera's engine, for metrics.</summary>
public sealed record EngineCounters(
    long StopsDismissed,
    long CasesConfirmed,
    long CasesResumed,
    long Departures,
    long FramesOutOfOrder,
    int ActiveTracks,
    int OpenCases);
