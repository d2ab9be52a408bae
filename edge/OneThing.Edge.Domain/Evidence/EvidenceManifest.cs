using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using OneThing.Edge.Domain.Geometry;
using OneThing.Edge.Domain.Violations;

namespace OneThing.Edge.Domain.Evidence;

/// <summary>
/// One evidence file of a case: what it shows (<see cref="Violations.EvidenceKinds"/>), its SHA-256, when and by
/// which camera it was captured, the lane, the box (vehicle or plate, frame pixels) it is annotated with, and the
/// SHA-256 of its redacted copy, the one sent to the traffic system (null: shared as taken).
/// </summary>
public sealed record EvidenceManifestItem(
    string Kind,
    string Sha256,
    DateTimeOffset CapturedAt,
    string ContentType,
    string? CameraId,
    string? LaneId,
    Box? Box,
    string? RedactedSha256 = null)
{
    /// <summary>The item as the violation and the traffic system know it (without camera, lane and box).</summary>
    public EvidenceItem ToEvidenceItem() => new(Kind, Sha256, CapturedAt, ContentType, RedactedSha256);
}

/// <summary>
/// The list of a case's evidence. Its canonical JSON (fixed field order, items sorted, UTC times, no whitespace)
/// is byte-for-byte reproducible, so <see cref="Sha256"/> identifies exactly this set of evidence.
/// </summary>
public sealed record EvidenceManifest(Guid CaseId, IReadOnlyList<EvidenceManifestItem> Items)
{
    public byte[] ToCanonicalJson()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("caseId", CaseId.ToString("D"));
            json.WriteStartArray("items");
            var ordered = Items
                .OrderBy(i => i.CapturedAt.UtcDateTime)
                .ThenBy(i => i.Kind, StringComparer.Ordinal)
                .ThenBy(i => i.Sha256, StringComparer.Ordinal);
            foreach (var item in ordered)
            {
                json.WriteStartObject();
                json.WriteString("kind", item.Kind);
                json.WriteString("sha256", item.Sha256.ToLowerInvariant());
                json.WriteString("capturedAt", item.CapturedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
                json.WriteString("contentType", item.ContentType);
                WriteOptional(json, "camera", item.CameraId);
                WriteOptional(json, "lane", item.LaneId);
                if (item.Box is { } box)
                {
                    json.WriteStartArray("box");
                    json.WriteNumberValue(box.X1);
                    json.WriteNumberValue(box.Y1);
                    json.WriteNumberValue(box.X2);
                    json.WriteNumberValue(box.Y2);
                    json.WriteEndArray();
                }
                else
                {
                    json.WriteNull("box");
                }
                if (item.RedactedSha256 is { } redacted)
                {
                    // Written only when there is one, so manifests recorded before redaction keep their bytes.
                    json.WriteString("redactedSha256", redacted.ToLowerInvariant());
                }
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }

    public string Sha256 => Convert.ToHexStringLower(SHA256.HashData(ToCanonicalJson()));

    private static void WriteOptional(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }
}
