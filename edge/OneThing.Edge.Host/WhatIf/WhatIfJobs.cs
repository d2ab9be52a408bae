using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using OneThing.Edge.Domain.Configuration;
using OneThing.Edge.Host.Footage;
using OneThing.Edge.Host.Pipeline;
using OneThing.Edge.Host.Replay;
using OneThing.Edge.Storage.Cases;
using OneThing.Edge.Storage.Labels;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace OneThing.Edge.Host.WhatIf;

/// <summary>A what-if job's state, by its API name.</summary>
public static class WhatIfStates
{
    public const string Queued = "queued";
    public const string Running = "running";
    public const string Done = "done";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";
}

/// <summary>One what-if: a lane, candidate lane settings, a footage window; progress while it runs, the result when done.</summary>
public sealed class WhatIfJob(Guid id, string cameraId, LaneOptions live, LaneOptions candidate, DateTimeOffset from, DateTimeOffset to)
{
    private int _framesDone;

    public Guid Id { get; } = id;
    public string CameraId { get; } = cameraId;
    public LaneOptions Live { get; } = live;
    public LaneOptions Candidate { get; } = candidate;
    public DateTimeOffset From { get; } = from;
    public DateTimeOffset To { get; } = to;
    public string State { get; internal set; } = WhatIfStates.Queued;
    public int FramesTotal { get; internal set; }
    public int FramesDone => Volatile.Read(ref _framesDone);
    public WhatIfResult? Result { get; internal set; }
    public string? Error { get; internal set; }
    public bool Applied { get; internal set; }

    /// <summary>Done share, 0..1: two replays of the window (live settings, then the candidate).</summary>
    public double Progress => FramesTotal == 0 ? 0 : Math.Min(1, (double)FramesDone / FramesTotal);

    internal CancellationTokenSource Cancellation { get; } = new();

    internal void Played(int frames) => Volatile.Write(ref _framesDone, frames);
}

/// <summary>
/// Runs what-ifs one at a time in the background through <see cref="ReplayRunner"/> (the real pipeline in a gateway of
/// its own: one inference worker, a temp data directory). Between frames it waits while live analysis is busy, so a
/// what-if takes only the time the cameras leave over.
/// </summary>
public sealed partial class WhatIfJobs(
    FootageStore footage, CaseRecorder cases, CaseLabels labels, FrameAnalyser live, IOptionsMonitor<SiteOptions> site, IConfiguration configuration,
    IOptions<FootageOptions> footageOptions, ILogger<WhatIfJobs> logger) : BackgroundService
{
    /// <summary>Jobs waiting; more are refused (the operator waits for one to finish).</summary>
    public const int MaxQueued = 8;

    private static readonly TimeSpan LivePoll = TimeSpan.FromMilliseconds(20);
    private readonly ConcurrentDictionary<Guid, WhatIfJob> _jobs = new();
    private readonly Channel<WhatIfJob> _queue = Channel.CreateBounded<WhatIfJob>(new BoundedChannelOptions(MaxQueued) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    /// <returns>false when <see cref="MaxQueued"/> jobs are already waiting.</returns>
    public bool TryStart(WhatIfJob job)
    {
        if (!_queue.Writer.TryWrite(job))
        {
            return false;
        }
        _jobs[job.Id] = job;
        return true;
    }

    public WhatIfJob? Find(Guid id) => _jobs.GetValueOrDefault(id);

    public void Cancel(WhatIfJob job)
    {
        job.Cancellation.Cancel();
        if (job.State == WhatIfStates.Queued)
        {
            job.State = WhatIfStates.Cancelled;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var job in _queue.Reader.ReadAllAsync(stoppingToken))
        {
            if (job.Cancellation.IsCancellationRequested)
            {
                continue;
            }
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, job.Cancellation.Token);
            job.State = WhatIfStates.Running;
            try
            {
                job.Result = await RunAsync(job, linked.Token);
                job.State = WhatIfStates.Done;
            }
            catch (OperationCanceledException) when (job.Cancellation.IsCancellationRequested)
            {
                job.State = WhatIfStates.Cancelled;
            }
            catch (Exception e) when (e is InvalidDataException or IOException or ArgumentException or InvalidOperationException or Microsoft.Extensions.Options.OptionsValidationException)
            {
                job.Error = e.Message;
                job.State = WhatIfStates.Failed;
                LogFailed(e, job.Id);
            }
        }
    }

    private async Task<WhatIfResult> RunAsync(WhatIfJob job, CancellationToken cancellationToken)
    {
        var frames = footage.Frames(job.CameraId, job.From, job.To);
        var camera = site.CurrentValue.Cameras.FirstOrDefault(c => c.Id == job.CameraId)
            ?? throw new InvalidOperationException($"camera {job.CameraId} is no longer configured");
        var interval = Math.Max(1, footageOptions.Value.IntervalSeconds);
        Scenario With(LaneOptions lane) => FootageScenario.For(
            new CameraOptions { Id = camera.Id, Lanes = camera.Lanes.Select(l => l.Id == lane.Id ? lane : l).ToList() }, frames, "", interval, []);
        var baseline = With(job.Live);
        job.FramesTotal = 2 * frames.Count;

        var liveCases = await ReplayAsync(baseline, job, 0, cancellationToken);
        var candidateCases = await ReplayAsync(With(job.Candidate), job, frames.Count, cancellationToken);
        var truth = await TruthAsync(job, cancellationToken);
        var (liveScore, candidateScore, changes) = WhatIfComparison.Compare(liveCases, candidateCases, truth);
        return new WhatIfResult(job.CameraId, job.Live.Id, job.From, job.To, frames.Count, LaneSettings.Of(job.Live), LaneSettings.Of(job.Candidate), liveScore, candidateScore, changes);
    }

    private async Task<IReadOnlyList<CaseSummary>> ReplayAsync(Scenario scenario, WhatIfJob job, int framesBefore, CancellationToken cancellationToken)
    {
        var data = Path.Combine(Path.GetTempPath(), $"onething-what-if-{job.Id:N}-{framesBefore}");
        try
        {
            var result = await ReplayRunner.RunAsync(scenario, footage.Folder(job.CameraId), LiveSettings(), [], data,
                new Progress<int>(n => job.Played(framesBefore + n)), cancellationToken, GiveWayAsync);
            return result.Cases.Where(c => c.LaneId == job.Live.Id).ToList();
        }
        finally
        {
            try
            {
                Directory.Delete(data, recursive: true);
            }
            catch (IOException)
            {
                // A temp folder left behind is harmless: the OS's temp cleaning gets it.
            }
        }
    }

    /// <summary>Waits while live analysis runs a frame: live first, the what-if in the gaps.</summary>
    private async Task GiveWayAsync(CancellationToken cancellationToken)
    {
        await Task.Yield();
        while (live.Busy)
        {
            await Task.Delay(LivePoll, cancellationToken);
        }
    }

    /// <summary>The live gateway's model, vision, engine and motion-gate settings for the replay's own gateway, with one inference worker.</summary>
    private IEnumerable<string> LiveSettings()
    {
        string[] sections = ["OneThing:Models", "OneThing:Vision", "OneThing:Engine", "OneThing:Pipeline:MotionGate"];
        foreach (var (key, value) in sections.SelectMany(s => configuration.GetSection(s).AsEnumerable()))
        {
            if (value is not null)
            {
                yield return $"{key}={value}";
            }
        }
        yield return "OneThing:Pipeline:InferenceWorkers=1";
        yield return "OneThing:Vision:Workers=1";
        yield return "OneThing:Vision:IntraOpNumThreads=1";
    }

    /// <summary>The lane's labelled cases and missed violations that overlap the window.</summary>
    private async Task<LaneTruth> TruthAsync(WhatIfJob job, CancellationToken cancellationToken)
    {
        var verdicts = await labels.LabelsAsync(cancellationToken);
        var labelled = (await cases.CameraCasesAsync(job.CameraId, job.From, job.To, cancellationToken))
            .Where(c => c.LaneId == job.Live.Id && verdicts.ContainsKey(c.Id))
            .Select(c => (c, verdicts[c.Id]))
            .ToList();
        var missed = (await labels.MissedAsync(job.Live.Id, cancellationToken)).Where(m => m.EndedAt >= job.From && m.StartedAt <= job.To).ToList();
        return new LaneTruth(labelled, missed);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "What-if {JobId} failed")]
    private partial void LogFailed(Exception e, Guid jobId);
}
