using OneThing.Edge.Domain.Plates;
using Xunit;

namespace OneThing.Edge.Domain.Tests.Plates;

public sealed class PlateMaskTests
{
    [Theory]
    [InlineData("皖A12320", "皖A***20")]
    [InlineData("皖A195K9", "皖A***K9")]
    [InlineData("粤BD12345", "粤B***45")]
    [InlineData("京A1", "***")]
    [InlineData("", "")]
    [InlineData(null, "")]
    public void Keeps_the_first_two_and_last_two_characters(string? plate, string masked) =>
        Assert.Equal(masked, PlateMask.Mask(plate));

    [Fact]
    public void A_log_line_has_the_whole_plate_only_when_debug_is_on()
    {
        Assert.Equal("皖A***K9", PlateMask.ForLog("皖A195K9", debugEnabled: false));
        Assert.Equal("皖A195K9", PlateMask.ForLog("皖A195K9", debugEnabled: true));
    }
}
