using OneThing.Edge.Domain.Plates;
using OneThing.Edge.Domain.Tracking;

namespace OneThing.Edge.Domain.Engine;

public sealed record ViolationEngineOptions
{
    public TrackerOptions Tracker { get; init; } = new();

    /// <summary>Practice for stationary violations: the two evidence frames at least this far apart.</summary>
    public double MinEvidenceGapSeconds { get; init; } = 10;

    /// <summary>Plate readings wanted per stop; requests stop once this many arrived or <see cref="MaxPlateRequests"/> were made.</summary>
    public int PlateReadingsWanted { get; init; } = 5;

    public int MaxPlateRequests { get; init; } = 10;

    /// <summary>
    /// Requests also stop once this many readings agree on the voted plate: further reads would not change the vote,
    /// and a plate read costs about two vehicle detections. The check before confirmation is still made.
    /// </summary>
    public int PlateReadingsAgreeing { get; init; } = 3;

    /// <summary>Seconds between plate requests; doubled after each request that found no plate.</summary>
    public double PlateRequestIntervalSeconds { get; init; } = 2;

    public double MinPlateReadingConfidence { get; init; } = PlateVote.DefaultMinReadingConfidence;

    /// <summary>
    /// This long before confirmation the plate is read once more; a readable plate that differs from the one voted
    /// at the stop means another vehicle took the spot while the first was missed, and the stop starts over.
    /// </summary>
    public double PlateCheckLeadSeconds { get; init; } = 5;

    /// <summary>A stop overlapping an open case's box by this IoU is that case's vehicle (a broken track).</summary>
    public double ReidentifyIoU { get; init; } = 0.5;

    /// <summary>Case id source; default a version-7 Guid stamped with the confirmation time. Tests may fix it.</summary>
    public Func<DateTimeOffset, Guid>? NewCaseId { get; init; }
}
