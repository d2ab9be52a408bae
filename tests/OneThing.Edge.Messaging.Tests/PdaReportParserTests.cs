using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using OneThing.Edge.Domain.Reports;
using OneThing.Edge.Messaging;
using OneThing.Edge.Messaging.Pda;
using Xunit;

namespace OneThing.Edge.Messaging.Tests;

public class PdaReportParserTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);
    private static readonly byte[] Jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3];
    private readonly FakeTimeProvider _time = new(Now);
    private readonly MqttOptions _limits = new() { MaxReportBytes = 64 * 1024, MaxPhotos = 2, MaxPhotoSide = 4000 };

    /// <summary>A stand-in for the OpenCV decoder in this unit test: JPEG magic bytes are an image; a "huge" marker is too large.</summary>
    private sealed class MagicBytesProbe : IImageProbe
    {
        public string? Problem(ReadOnlySpan<byte> data, int maxSide) =>
            data.Length >= 3 && data[0] == 0xFF && data[1] == 0xD8 ? (data.Length > 6 && data[6] == 99 ? $"image is 9000x9000 px; at most {maxSide} px a side" : null)
            : "not a decodable JPEG or PNG image";
    }

    private PdaReportParser Parser() => new(_limits, () => new HashSet<string> { "lane-a" }, new MagicBytesProbe(), _time);

    private static Dictionary<string, object?> Valid() => new()
    {
        ["reportId"] = "6f1c2a9e-1b7d-4c55-9a55-2f1e0c7d9b11",
        ["officerId"] = "officer-9",
        ["plate"] = "浙a·12345",
        ["laneId"] = "lane-a",
        ["observedAt"] = "2026-11-23T07:59:30.000Z",
        ["photos"] = new[] { new { contentType = "image/jpeg", data = Convert.ToBase64String(Jpeg) } },
        ["note"] = "blocking the gate",
    };

    private PdaReport Parse(object body) => Parser().Parse("pda-1", JsonSerializer.SerializeToUtf8Bytes(body));

    private string RejectionOf(object body) => Assert.Throws<PdaReportRejectedException>(() => Parse(body)).Code;

    private string RejectionOf(byte[] raw) => Assert.Throws<PdaReportRejectedException>(() => Parser().Parse("pda-1", raw)).Code;

    private static Dictionary<string, object?> With(string key, object? value)
    {
        var body = Valid();
        body[key] = value;
        return body;
    }

    private static Dictionary<string, object?> Without(string key)
    {
        var body = Valid();
        body.Remove(key);
        return body;
    }

    [Fact]
    public void A_valid_report_is_parsed_and_normalised()
    {
        var report = Parse(Valid());
        Assert.Equal("6f1c2a9e-1b7d-4c55-9a55-2f1e0c7d9b11", report.ReportId);
        Assert.Equal("pda-1", report.DeviceId);
        Assert.Equal("浙A12345", report.Plate);
        Assert.Equal("lane-a", report.LaneId);
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 7, 59, 30, TimeSpan.Zero), report.ObservedAt);
        Assert.Equal(Now, report.ReceivedAt);
        Assert.Equal(Jpeg, Assert.Single(report.Photos).Data);
        Assert.Equal("blocking the gate", report.Note);
    }

    [Fact]
    public void A_location_can_stand_in_for_a_lane()
    {
        var body = Without("laneId");
        body["location"] = new { lat = 30.27, lon = 120.15, text = "Building 3 gate" };
        var report = Parse(body);
        Assert.Null(report.LaneId);
        Assert.Equal(new ReportLocation(30.27, 120.15, "Building 3 gate"), report.Location);
    }

    [Fact]
    public void Every_code_is_covered_below() =>
        Assert.Equal(12, RejectionCodes.All.Count); // the parser's 11, and not-your-task from intake (Host TaskAnswerTests)

    [Fact]
    public void Too_large() => Assert.Equal(RejectionCodes.TooLarge, RejectionOf(new byte[_limits.MaxReportBytes + 1]));

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"reportId\": ")]
    [InlineData("[1,2,3]")]
    [InlineData("\"just a string\"")]
    [InlineData("")]
    public void Invalid_json(string raw) => Assert.Equal(RejectionCodes.InvalidJson, RejectionOf(Encoding.UTF8.GetBytes(raw)));

    [Theory]
    [InlineData("reportId")]
    [InlineData("officerId")]
    [InlineData("plate")]
    [InlineData("observedAt")]
    [InlineData("photos")]
    public void Missing_field(string field) => Assert.Equal(RejectionCodes.MissingField, RejectionOf(Without(field)));

    [Fact]
    public void Missing_lane_and_location() => Assert.Equal(RejectionCodes.MissingField, RejectionOf(Without("laneId")));

    [Fact]
    public void Empty_photo_list_is_missing() => Assert.Equal(RejectionCodes.MissingField, RejectionOf(With("photos", Array.Empty<object>())));

    [Fact]
    public void Invalid_field_type() => Assert.Equal(RejectionCodes.InvalidField, RejectionOf(With("officerId", 42)));

    [Fact]
    public void Invalid_location() => Assert.Equal(RejectionCodes.InvalidField, RejectionOf(With("location", new { lat = 123.0, lon = 10.0 })));

    [Fact]
    public void Bad_report_id() => Assert.Equal(RejectionCodes.BadReportId, RejectionOf(With("reportId", "report-1")));

    [Theory]
    [InlineData("yesterday")]
    [InlineData("2026-11-23T09:00:00Z")] // an hour ahead of the gateway clock
    public void Bad_time(string observedAt) => Assert.Equal(RejectionCodes.BadTime, RejectionOf(With("observedAt", observedAt)));

    [Theory]
    [InlineData("ABC123")]
    [InlineData("浙I12345")]
    [InlineData("浙A1234567")]
    public void Bad_plate(string plate) => Assert.Equal(RejectionCodes.BadPlate, RejectionOf(With("plate", plate)));

    [Fact]
    public void Unknown_lane() => Assert.Equal(RejectionCodes.UnknownLane, RejectionOf(With("laneId", "lane-z")));

    [Fact]
    public void Too_many_photos()
    {
        var photo = new { contentType = "image/jpeg", data = Convert.ToBase64String(Jpeg) };
        Assert.Equal(RejectionCodes.TooManyPhotos, RejectionOf(With("photos", new[] { photo, photo, photo })));
    }

    [Theory]
    [InlineData("image/jpeg", "bm90IGFuIGltYWdl")] // "not an image"
    [InlineData("image/jpeg", "%%%not-base64%%%")]
    [InlineData("application/pdf", "/9j/4AECAw==")]
    public void Photo_not_image(string contentType, string data) =>
        Assert.Equal(RejectionCodes.PhotoNotImage, RejectionOf(With("photos", new[] { new { contentType, data } })));

    [Fact]
    public void Photo_too_large() =>
        Assert.Equal(RejectionCodes.PhotoTooLarge, RejectionOf(With("photos", new[] { new { contentType = "image/jpeg", data = Convert.ToBase64String([0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 99]) } })));

    [Fact]
    public void A_rejection_keeps_the_report_id_when_it_was_readable()
    {
        var e = Assert.Throws<PdaReportRejectedException>(() => Parse(With("plate", "nope")));
        Assert.Equal("6f1c2a9e-1b7d-4c55-9a55-2f1e0c7d9b11", e.ReportId);
        Assert.Contains("NOPE", e.Message, StringComparison.Ordinal);
    }
}
