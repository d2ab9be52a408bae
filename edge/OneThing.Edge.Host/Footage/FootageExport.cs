using Microsoft.Extensions.Options;
using OneThing.Edge.Domain.Configuration;
using OneThing.Edge.Storage.Cases;
using OneThing.Edge.Storage.Labels;

namespace OneThing.Edge.Host.Footage;

/// <summary>
/// A camera's footage over a window as a scenario zip (the `replay` format) with the camera's lanes as configured now
/// and the operators' labels as expected cases: for `replay` on another machine.
/// </summary>
public sealed class FootageExport(FootageStore footage, IOptionsMonitor<SiteOptions> site, IOptions<FootageOptions> options, CaseRecorder cases, CaseLabels labels)
{
    /// <exception cref="InvalidDataException">The camera is not configured or has no footage in the window.</exception>
    public async Task<int> WriteAsync(string cameraId, DateTimeOffset from, DateTimeOffset to, Stream output, CancellationToken cancellationToken)
    {
        var camera = site.CurrentValue.Cameras.FirstOrDefault(c => c.Id == cameraId) ?? throw new InvalidDataException($"camera '{cameraId}' is not configured");
        var frames = footage.Frames(cameraId, from, to);
        var inWindow = await cases.CameraCasesAsync(cameraId, from, to, cancellationToken);
        var missed = (await labels.MissedAsync(null, cancellationToken)).Where(m => m.EndedAt >= from && m.StartedAt <= to);
        var expected = FootageScenario.Expected(cameraId, inWindow, await labels.LabelsAsync(cancellationToken), missed);
        var scenario = FootageScenario.For(camera, frames, "frames/", Math.Max(1, options.Value.IntervalSeconds), expected);
        await FootageScenario.WriteZipAsync(scenario, frames, output, cancellationToken);
        return frames.Count;
    }
}
