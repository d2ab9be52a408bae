using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using OneThing.Edge.Messaging;
using OneThing.Edge.Messaging.Pda;
using OneThing.Edge.Vision;
using OpenCvSharp;
using Xunit;
using Xunit.Abstractions;

namespace OneThing.Edge.Fuzz.Tests;

/// <summary>PDA report JSON: mutations of a valid report, structure-aware and byte-level, and random bytes.</summary>
public sealed class PdaReportFuzzTests(ITestOutputHelper output)
{
    private const int Inputs = 12_000;
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);
    private static readonly string[] Fields = ["reportId", "officerId", "plate", "laneId", "location", "observedAt", "photos", "taskId", "note"];

    private static readonly byte[] SmallPhoto = SmallJpeg();

    private static byte[] SmallJpeg()
    {
        using var full = Cv2.ImRead(Path.Combine(TestKit.TestPaths.Sample("plates", "ccpd_rpnet_demo_0.jpg")));
        using var small = full.Resize(new Size(64, 48));
        return small.ImEncode(".jpg");
    }

    private static JsonObject ValidReport() => new()
    {
        ["reportId"] = "6f1c2a9e-1b7d-4c55-9a55-2f1e0c7d9b11",
        ["officerId"] = "officer-9",
        ["plate"] = "浙A12345",
        ["laneId"] = "lane-a",
        ["location"] = new JsonObject { ["lat"] = 30.27, ["lon"] = 120.15, ["text"] = "gate 3" },
        ["observedAt"] = "2026-11-23T07:59:30.000Z",
        ["photos"] = new JsonArray(new JsonObject { ["contentType"] = "image/jpeg", ["data"] = Convert.ToBase64String(SmallPhoto) }),
        ["note"] = "blocking the gate",
    };

    private static JsonNode? RandomValue(Mutator m) => m.Random.Next(9) switch
    {
        0 => null,
        1 => JsonValue.Create(m.Random.Next(2) == 0),
        2 => JsonValue.Create(m.Pick<double>([0, -1, 1e308, -1e308, double.Epsilon, 91, 181, 1e-320, long.MaxValue])),
        3 => new JsonArray(JsonValue.Create(1), JsonValue.Create("x")),
        4 => new JsonObject { ["k"] = "v" },
        5 => JsonValue.Create(m.NastyString()),
        6 => JsonValue.Create(Convert.ToBase64String(m.RandomBytes(64))),
        7 => JsonValue.Create(m.Guid().ToString()),
        _ => JsonValue.Create(m.MutateString("2026-11-23T07:59:30.000Z")),
    };

    /// <summary>Wraps a value in <paramref name="depth"/> arrays: beyond the parser's MaxDepth it must be invalid-json, not a stack overflow.</summary>
    private static JsonNode Nest(JsonNode? value, int depth)
    {
        var node = value;
        for (var i = 0; i < depth; i++)
        {
            node = new JsonArray(node);
        }
        return node ?? new JsonArray();
    }

    private static byte[] StructuredMutation(Mutator m)
    {
        var report = ValidReport();
        for (var steps = m.Random.Next(1, 4); steps > 0; steps--)
        {
            var field = m.Pick(Fields);
            switch (m.Random.Next(7))
            {
                case 0: // type swap or odd value
                    report[field] = RandomValue(m);
                    break;
                case 1:
                    report.Remove(field);
                    break;
                case 2: // deep nesting
                    report[field] = Nest(RandomValue(m), m.Random.Next(1, 200));
                    break;
                case 3: // base64 garbage or a mutated image in a photo
                    var data = m.Random.Next(3) switch
                    {
                        0 => m.NastyString(),
                        1 => Convert.ToBase64String(m.Mutate(SmallPhoto)),
                        _ => Convert.ToBase64String(m.RandomBytes(200)),
                    };
                    report["photos"] = new JsonArray(new JsonObject { ["contentType"] = m.Pick(["image/jpeg", "image/png", "IMAGE/JPEG", "text/plain", ""]), ["data"] = data });
                    break;
                case 4: // photo count around the limit
                    var photos = new JsonArray();
                    for (var i = m.Random.Next(0, 9); i > 0; i--)
                    {
                        photos.Add(new JsonObject { ["contentType"] = "image/jpeg", ["data"] = Convert.ToBase64String(SmallPhoto) });
                    }
                    report["photos"] = photos;
                    break;
                case 5: // huge and out-of-range coordinates
                    report["location"] = new JsonObject { ["lat"] = RandomValue(m), ["lon"] = RandomValue(m), ["text"] = RandomValue(m) };
                    break;
                default: // unicode and control characters in strings
                    report[field] = m.NastyString();
                    break;
            }
        }
        return Encoding.UTF8.GetBytes(report.ToJsonString());
    }

    [Fact]
    public async Task Every_mutated_report_is_accepted_or_rejected_with_a_known_code()
    {
        var limits = new MqttOptions { MaxReportBytes = 16 * 1024, MaxPhotos = 6, MaxPhotoSide = 4096 };
        var parser = new PdaReportParser(limits, () => new HashSet<string> { "lane-a" }, new PhotoProbe(new FrameDecoder(new FrameLimits())), new FakeTimeProvider(Now));
        var valid = Encoding.UTF8.GetBytes(ValidReport().ToJsonString());
        Assert.Equal("浙A12345", parser.Parse("pda-1", valid).Plate); // the seed report itself is valid
        var seed = FuzzSeed.For(8_001, output);
        var mutator = new Mutator(seed);
        var tally = new Tally("PDA report parser", seed, output);

        await tally.RunAsync(Inputs, i =>
        {
            var payload = (i % 4) switch
            {
                0 or 1 => StructuredMutation(mutator),
                2 => mutator.Mutate(valid),
                _ => mutator.RandomBytes(512),
            };
            try
            {
                parser.Parse("pda-1", payload);
                return "accepted";
            }
            catch (PdaReportRejectedException e) when (RejectionCodes.All.Contains(e.Code))
            {
                return e.Code;
            }
        });

        // The mutations reach deep into the parser, not just its JSON front door.
        Assert.True(tally.Outcomes.Count >= 8, "at least 8 distinct outcomes: " + string.Join(", ", tally.Outcomes.Keys) + tally.Replay);
        Assert.True(tally.Outcomes.GetValueOrDefault("accepted") > 0, "no input was accepted" + tally.Replay);
    }
}
