using OneThing.Edge.Domain.Evidence;
using OneThing.Edge.Domain.Geometry;
using OneThing.Edge.Domain.Violations;
using Xunit;

namespace OneThing.Edge.Domain.Tests.Evidence;

public class EvidenceManifestTests
{
    private static readonly Guid CaseId = Guid.Parse("0a6f2b1e-4c7d-4f51-9c43-1d2e3f405162");
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 16, 0, 0, TimeSpan.FromHours(8));

    private static readonly EvidenceManifestItem Overview = new(EvidenceKinds.Overview, new string('a', 64), T0, "image/jpeg", "cam-1", "lane-1", new Box(400, 600, 800, 900.5f));
    private static readonly EvidenceManifestItem Confirmation = new(EvidenceKinds.Confirmation, new string('b', 64), T0.AddSeconds(120), "image/jpeg", "cam-1", "lane-1", new Box(401, 600, 801, 900));
    private static readonly EvidenceManifestItem Plate = new(EvidenceKinds.Plate, new string('c', 64), T0.AddSeconds(5), "image/png", "cam-1", "lane-1", null);

    [Fact]
    public void Canonical_json_has_a_fixed_form()
    {
        var json = System.Text.Encoding.UTF8.GetString(new EvidenceManifest(CaseId, [Overview]).ToCanonicalJson());

        Assert.Equal(
            """{"caseId":"0a6f2b1e-4c7d-4f51-9c43-1d2e3f405162","items":[{"kind":"overview","sha256":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","capturedAt":"2026-11-23T08:00:00.000Z","contentType":"image/jpeg","camera":"cam-1","lane":"lane-1","box":[400,600,800,900.5]}]}""",
            json);
    }

    [Fact]
    public void A_redacted_copy_is_named_after_the_box_and_travels_as_the_shared_file()
    {
        var redacted = Overview with { RedactedSha256 = new string('d', 64) };
        var json = System.Text.Encoding.UTF8.GetString(new EvidenceManifest(CaseId, [redacted]).ToCanonicalJson());

        Assert.EndsWith(""","box":[400,600,800,900.5],"redactedSha256":"dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"}]}""", json);
        Assert.NotEqual(new EvidenceManifest(CaseId, [Overview]).Sha256, new EvidenceManifest(CaseId, [redacted]).Sha256);
        var item = redacted.ToEvidenceItem();
        Assert.Equal((new string('a', 64), new string('d', 64)), (item.Sha256, item.SharedSha256));
        Assert.Equal(new string('a', 64), Overview.ToEvidenceItem().SharedSha256); // no copy: shared as taken
    }

    [Fact]
    public void Item_order_and_time_zone_do_not_change_the_hash()
    {
        var a = new EvidenceManifest(CaseId, [Overview, Confirmation, Plate]);
        var b = new EvidenceManifest(CaseId, [Plate with { CapturedAt = Plate.CapturedAt.ToUniversalTime() }, Confirmation, Overview]);

        Assert.Equal(a.Sha256, b.Sha256);
        Assert.Equal(64, a.Sha256.Length);
    }

    [Fact]
    public void Any_changed_item_changes_the_hash()
    {
        var original = new EvidenceManifest(CaseId, [Overview, Confirmation]).Sha256;

        Assert.NotEqual(original, new EvidenceManifest(CaseId, [Overview, Confirmation with { Sha256 = new string('d', 64) }]).Sha256);
        Assert.NotEqual(original, new EvidenceManifest(CaseId, [Overview, Confirmation with { Box = new Box(401, 600, 801, 901) }]).Sha256);
        Assert.NotEqual(original, new EvidenceManifest(CaseId, [Overview]).Sha256);
        Assert.NotEqual(original, new EvidenceManifest(Guid.Empty, [Overview, Confirmation]).Sha256);
    }
}
