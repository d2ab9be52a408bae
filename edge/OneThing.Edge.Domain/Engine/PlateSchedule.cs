using OneThing.Edge.Domain.Dwell;
using OneThing.Edge.Domain.Plates;

namespace OneThing.Edge.Domain.Engine;

/// <summary>
/// When a stopped vehicle's plate is read: at the stop, then at growing intervals until the vote is settled, and once
/// more just before confirmation to catch another vehicle in the spot. A plate read costs about two vehicle
/// detections, so no read is asked for that could not change the vote.
/// </summary>
internal sealed class PlateSchedule(ViolationEngineOptions options)
{
    public PlateVerdict Vote(TrackDwell dwell) => PlateVote.Decide(dwell.Readings, options.MinPlateReadingConfidence);

    /// <summary>The pre-confirmation check is due and was not asked for yet.</summary>
    public bool CheckDue(TrackDwell dwell, DateTimeOffset at, DateTimeOffset confirmAt) =>
        at >= confirmAt - TimeSpan.FromSeconds(options.PlateCheckLeadSeconds) && dwell.CheckFrom is null;

    public bool RequestDue(TrackDwell dwell, DateTimeOffset at)
    {
        // A plate not found at all (turned away, hidden, too far) is looked for less and less often: each miss doubles
        // the wait, up to 16 times the interval.
        var missed = dwell.PlateRequests - dwell.Readings.Count;
        var interval = options.PlateRequestIntervalSeconds * (1 << Math.Clamp(missed, 0, 4));
        var due = dwell.PlateRequests == 0 || (at - dwell.LastPlateRequestAt).TotalSeconds >= interval;
        return due && dwell.Readings.Count < options.PlateReadingsWanted && dwell.PlateRequests < options.MaxPlateRequests && !Settled(dwell);
    }

    /// <summary>The plate read just before confirmation is readable and not the one voted at the stop.</summary>
    public bool IsAnotherVehicle(TrackDwell dwell)
    {
        var split = dwell.CheckFrom ?? dwell.Readings.Count;
        var atStop = PlateVote.Decide(dwell.Readings.Take(split), options.MinPlateReadingConfidence);
        var now = PlateVote.Decide(dwell.Readings.Skip(split), options.MinPlateReadingConfidence);
        return atStop.IsReadable && now.IsReadable && atStop.Text != now.Text;
    }

    /// <summary>Enough readings agree on the voted plate that further reads would not change it.</summary>
    private bool Settled(TrackDwell dwell)
    {
        var verdict = Vote(dwell);
        return verdict.IsReadable
            && dwell.Readings.Count(r => r.IsValid && r.Confidence >= options.MinPlateReadingConfidence && r.Text == verdict.Text) >= options.PlateReadingsAgreeing;
    }
}
