using OneThing.Edge.Domain.Geometry;
using OneThing.Edge.Domain.Lanes;
using Xunit;

namespace OneThing.Edge.Domain.Tests.Lanes;

public class LaneDefinitionTests
{
    private static PointF P(float x, float y) => new(x, y);

    private static LaneDefinition Lane(params PointF[] polygon) => new("lane-1", polygon, 10, 120, 30);

    private static readonly PointF[] Square = [P(0.2f, 0.2f), P(0.8f, 0.2f), P(0.8f, 0.8f), P(0.2f, 0.8f)];

    // A U shape: the notch between the arms (0.4..0.6 wide, from y 0 to 0.6) is outside.
    private static readonly PointF[] UShape = [P(0, 0), P(0.4f, 0), P(0.4f, 0.6f), P(0.6f, 0.6f), P(0.6f, 0), P(1, 0), P(1, 1), P(0, 1)];

    [Fact]
    public void A_proper_lane_has_no_errors()
    {
        Assert.Empty(Lane(Square).Validate());
        Assert.Empty(Lane(UShape).Validate());
    }

    [Fact]
    public void Fewer_than_three_points_is_an_error_naming_the_polygon()
    {
        var error = Assert.Single(Lane(P(0, 0), P(1, 1)).Validate());
        Assert.StartsWith("Polygon:", error, StringComparison.Ordinal);
        Assert.Contains("at least 3", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_point_outside_0_to_1_is_an_error_naming_that_point()
    {
        var error = Assert.Single(Lane(P(0, 0), P(1.5f, 0), P(1, 1)).Validate());
        Assert.StartsWith("Polygon[1]:", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_self_crossing_polygon_is_an_error()
    {
        var bowTie = Lane(P(0, 0), P(1, 1), P(1, 0), P(0, 1));
        var error = Assert.Single(bowTie.Validate());
        Assert.StartsWith("Polygon:", error, StringComparison.Ordinal);
        Assert.Contains("cross", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Collinear_points_enclose_no_area_and_are_an_error()
    {
        Assert.Contains(Lane(P(0, 0), P(0.5f, 0.5f), P(1, 1)).Validate(), e => e.StartsWith("Polygon:", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(0, 120, 30, 0.3, "StopSeconds")]
    [InlineData(10, -1, 30, 0.3, "ConfirmSeconds")]
    [InlineData(10, 120, 0, 0.3, "CooldownMinutes")]
    [InlineData(10, 120, 30, 1.5, "MinOverlapRatio")]
    [InlineData(double.NaN, 120, 30, 0.3, "StopSeconds")]
    public void Durations_must_be_positive_and_the_error_names_the_field(double stop, double confirm, double cooldown, double overlap, string field)
    {
        var lane = new LaneDefinition("lane-1", Square, stop, confirm, cooldown, overlap);
        var error = Assert.Single(lane.Validate());
        Assert.StartsWith(field + ":", error, StringComparison.Ordinal);
    }

    [Fact]
    public void EnsureValid_lists_every_error_with_the_lane_id()
    {
        var lane = new LaneDefinition("north-gate", [P(0, 0)], 0, 0, 30);
        var error = Assert.Throws<ArgumentException>(() => lane.EnsureValid());
        Assert.Contains("north-gate", error.Message, StringComparison.Ordinal);
        Assert.Contains("Polygon", error.Message, StringComparison.Ordinal);
        Assert.Contains("StopSeconds", error.Message, StringComparison.Ordinal);
        Assert.Contains("ConfirmSeconds", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.5f, 0.5f, true)]    // centre
    [InlineData(0.1f, 0.5f, false)]   // left of it
    [InlineData(0.2f, 0.5f, true)]    // on the left edge
    [InlineData(0.8f, 0.8f, true)]    // on a vertex
    [InlineData(0.5f, 0.80001f, false)] // just below the bottom edge
    public void Point_in_a_square(float x, float y, bool inside) =>
        Assert.Equal(inside, LanePolygon.Contains(Square, P(x, y)));

    [Theory]
    [InlineData(0.5f, 0.3f, false)]   // in the notch
    [InlineData(0.5f, 0.8f, true)]    // below the notch
    [InlineData(0.2f, 0.3f, true)]    // in the left arm
    [InlineData(0.4f, 0.3f, true)]    // on the notch's side edge
    [InlineData(0.5f, 0.6f, true)]    // on the notch's bottom edge
    public void Point_in_a_concave_polygon(float x, float y, bool inside) =>
        Assert.Equal(inside, LanePolygon.Contains(UShape, P(x, y)));

    [Fact]
    public void Overlap_ratio_is_the_share_of_the_box_inside_the_polygon()
    {
        Assert.Equal(1, LanePolygon.OverlapRatio(Square, new Box(0.3f, 0.3f, 0.5f, 0.5f)), 4);
        Assert.Equal(0.5, LanePolygon.OverlapRatio(Square, new Box(0.1f, 0.3f, 0.3f, 0.5f)), 4);
        Assert.Equal(0, LanePolygon.OverlapRatio(Square, new Box(0.85f, 0.85f, 0.95f, 0.95f)), 4);
        // Box across the notch of the U: its middle third (0.4..0.6 of 0.3..0.7) is outside above y 0.6.
        var acrossNotch = new Box(0.3f, 0.4f, 0.7f, 0.8f);
        var expected = 1 - 0.2 * 0.2 / (0.4 * 0.4);
        Assert.Equal(expected, LanePolygon.OverlapRatio(UShape, acrossNotch), 4);
    }

    [Fact]
    public void A_box_is_in_the_lane_only_with_its_bottom_centre_inside_and_enough_overlap()
    {
        var lane = Lane(Square) with { MinOverlapRatio = 0.3 };
        const int w = 1000, h = 1000;

        Assert.True(lane.Contains(new Box(300, 300, 500, 500), w, h));
        // Bottom-centre inside, but the box is mostly above the lane: 0.25 overlap.
        Assert.False(lane.Contains(new Box(400, 50, 600, 250 + 0), w, h));
        Assert.True(lane.Contains(new Box(400, 150, 600, 350), w, h));    // 0.75 overlap, bottom-centre inside
        // Large overlap but the wheels are below the lane's edge (bottom-centre outside).
        Assert.False(lane.Contains(new Box(300, 500, 500, 850), w, h));
    }
}
