using System.Runtime.CompilerServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OneThing.Edge.Domain.Configuration;
using OneThing.Edge.Domain.Detections;
using OneThing.Edge.Domain.Dwell;
using OneThing.Edge.Domain.Geometry;
using OneThing.Edge.Domain.Violations;
using OneThing.Edge.Host.Cases;
using OneThing.Edge.Host.Pipeline;
using OneThing.Edge.Messaging;
using OneThing.Edge.Messaging.Transport;
using OneThing.Edge.Storage;
using OneThing.Edge.Storage.Audit;
using OneThing.Edge.Storage.Cases;
using OneThing.Edge.Storage.Reports;
using OneThing.Edge.Storage.Violations;
using OneThing.Edge.TestKit;
using OneThing.Edge.Vision;
using OpenCvSharp;
using Xunit;

namespace OneThing.Edge.Host.Tests.Pipeline;

/// <summary>
/// Recording over a real SQLite file, real evidence rendering (caption font, redaction with the people and plates the
/// analysis found) and real files. The broker only swallows what would go to the officers.
/// </summary>
public sealed class CaseRecordingTests : IAsyncLifetime
{
    private const string Camera = "cam-1";
    private static readonly DateTimeOffset Start = new(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);
    private readonly ServiceProvider _services;

    public CaseRecordingTests()
    {
        var directory = TestPaths.NewTempDirectory("recording");
        _services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<TimeProvider>(new FakeTimeProvider(Start))
            .AddSingleton(new SqliteDatabase(Path.Combine(directory, "edge.db")))
            .AddSingleton(new FileStore(Path.Combine(directory, "files")))
            .AddSingleton<ViolationStore>()
            .AddSingleton<AuditLog>()
            .AddSingleton<CaseRecorder>()
            .AddSingleton<IGatewayBus, NoBroker>()
            .AddSingleton(new TopicContract("onething", "site-1"))
            .AddSingleton<CaseEvents>()
            .AddSingleton<TaskRecipients>()
            .AddSingleton<OfficerTasks>()
            .AddSingleton<CaseService>()
            .AddSingleton(CaptionFont.Load(EvidenceOptions.DefaultFontPath))
            .AddSingleton<Annotator>()
            .AddSingleton(new EvidenceRedactor(new NoDetector(), new NoDetector()))
            .AddSingleton<EvidenceRenderer>()
            .AddSingleton<RecordingQueue>()
            .AddSingleton<CaseRecording>()
            .Configure<SiteOptions>(o => o.SiteId = "site-1")
            .Configure<ClearanceOptions>(o => o.OfficerDevices = ["pda-1"])
            .BuildServiceProvider();
    }

    public Task InitializeAsync() => _services.GetRequiredService<SqliteDatabase>().MigrateAsync(CancellationToken.None);

    public Task DisposeAsync() => _services.DisposeAsync().AsTask();

    [Fact]
    public async Task A_recorded_case_and_its_evidence_are_not_kept_after_its_car_left()
    {
        var (ids, evidence) = await RecordCasesThatLeftAsync(3);

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        var store = _services.GetRequiredService<ViolationStore>();
        foreach (var id in ids)
        {
            Assert.NotNull(await store.GetAsync(id, CancellationToken.None));
        }
        Assert.Equal(0, _services.GetRequiredService<CaseRecording>().UnrecordedCases);
        Assert.All(evidence, e => Assert.False(e.IsAlive, "a recorded case's evidence is still held in memory"));
    }

    /// <summary>
    /// Records <paramref name="count"/> cars' cases at one camera, then a frame saying they left (each departure looks
    /// its case up among the unrecorded ones). Not inlined, so no local of the caller keeps a case alive.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private async Task<(List<Guid> Ids, List<WeakReference> Evidence)> RecordCasesThatLeftAsync(int count)
    {
        var recording = _services.GetRequiredService<CaseRecording>();
        var cases = Enumerable.Range(0, count).Select(i => Case(Start.AddMinutes(i), $"沪AF7101{i}")).ToList();
        foreach (var work in cases)
        {
            await recording.RecordAsync(new AnalysedFrame(Camera, work.Confirmed.ConfirmedAt, [work]), CancellationToken.None);
        }
        var leftAt = Start.AddMinutes(count);
        await recording.RecordAsync(new AnalysedFrame(Camera, leftAt, [.. cases.Select(c => new CarLeft(c.Confirmed.CaseId, leftAt))]), CancellationToken.None);
        return ([.. cases.Select(c => c.Confirmed.CaseId)], [.. cases.Select(c => new WeakReference(c.Evidence))]);
    }

    /// <summary>A confirmed case (its own car) with a frame-sized overview, its people and plates already found by analysis.</summary>
    private static CaseToRecord Case(DateTimeOffset confirmedAt, string plate)
    {
        var car = new Box(400, 300, 700, 520);
        using var frame = new Mat(720, 1280, MatType.CV_8UC3, new Scalar(90, 110, 130));
        var overlay = new FrameOverlay(Camera, confirmedAt, [], [new VehicleDetection(car, 0.9f, "car")], []);
        var overview = new EvidenceFrame(Annotator.Encode(frame, 90), confirmedAt, EvidenceKinds.Overview, "lane-a", car, car, overlay, [], []);
        var confirmed = new ViolationConfirmed(confirmedAt, Guid.NewGuid(), 7, "lane-a", plate, 0.93, confirmedAt.AddMinutes(-3), confirmedAt, car);
        return new CaseToRecord(confirmed, new HeldEvidence(overview), TimeSpan.FromMinutes(30));
    }

    private sealed class NoBroker : IGatewayBus
    {
        public bool IsConnected => true;

        public Task PublishAsync(string topic, ReadOnlyMemory<byte> payload, bool retain, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>Evidence from analysis carries its people and plates: redaction must not search again.</summary>
    private sealed class NoDetector : IVehicleDetector, IPlateDetector
    {
        public IReadOnlyList<VehicleDetection> Detect(Mat frame) => throw new InvalidOperationException("not searched again");

        public IReadOnlyList<Box> DetectPeople(Mat frame) => throw new InvalidOperationException("not searched again");

        public SceneDetections DetectWithPeople(Mat frame) => throw new InvalidOperationException("not searched again");

        IReadOnlyList<PlateDetection> IPlateDetector.Detect(Mat image) => throw new InvalidOperationException("not searched again");
    }
}
