using OneThing.Edge.Domain.Plates;
using Xunit;

namespace OneThing.Edge.Domain.Tests.Plates;

public class PlateFormatTests
{
    [Theory]
    [InlineData("皖AYL375", true)]
    [InlineData("皖AI1234", false)]   // I is never a plate letter
    [InlineData("皖A123", false)]     // too short
    [InlineData("皖A1234567", false)] // too long
    [InlineData("A皖12345", false)]
    public void Plate_format_check(string text, bool valid) => Assert.Equal(valid, PlateFormat.IsValid(text));
}
