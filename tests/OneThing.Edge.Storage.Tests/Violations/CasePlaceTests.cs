using OneThing.Edge.Domain.Evidence;
using OneThing.Edge.Domain.Geometry;
using OneThing.Edge.Domain.Violations;
using OneThing.Edge.Storage.Audit;
using OneThing.Edge.Storage.Cases;
using OneThing.Edge.Storage.Tests.Outbox;
using Xunit;

namespace OneThing.Edge.Storage.Tests.Violations;

/// <summary>A camera case keeps where its car stood at confirmation, for the engine of a restarted gateway.</summary>
public sealed class CasePlaceTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task An_open_camera_case_comes_back_with_the_box_of_its_confirmation_frame()
    {
        var f = await OutboxFixture.CreateAsync();
        var recorder = new CaseRecorder(f.Database, f.Files, f.Store, new AuditLog(f.Database, f.Time), f.Time);
        var camera = OutboxFixture.NewViolation();
        var overview = new Box(100, 200, 300, 400);
        var confirmation = new Box(101.5f, 202.25f, 303, 404);
        var plate = new Box(180, 360, 220, 380);
        var manifest = new EvidenceManifest(camera.Id,
        [
            new EvidenceManifestItem(EvidenceKinds.Overview, camera.Evidence[0].Sha256, camera.Evidence[0].CapturedAt, "image/jpeg", "cam-1", "lane-1", overview),
            new EvidenceManifestItem(EvidenceKinds.Plate, new string('p', 64), camera.ConfirmedAt, "image/jpeg", "cam-1", "lane-1", plate),
            new EvidenceManifestItem(EvidenceKinds.Confirmation, camera.Evidence[1].Sha256, camera.Evidence[1].CapturedAt, "image/jpeg", "cam-1", "lane-1", confirmation),
        ]);
        var officers = OutboxFixture.NewViolation(plate: "皖A12345") with { Source = ViolationSource.Pda, CameraId = null, DeviceId = "pda-1" };

        Assert.True(await recorder.RecordAsync(camera, manifest, None));
        Assert.True(await recorder.RecordAsync(officers, new EvidenceManifest(officers.Id, []), None));

        var open = await recorder.CasesAsync(openOnly: true, None);
        Assert.Equal(confirmation, open.Single(c => c.Id == camera.Id).Place);
        Assert.Null(open.Single(c => c.Id == officers.Id).Place);
    }
}
