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
    [InlineData("皖A1234", false)]    // six characters: no GA 36 plate
    [InlineData("沪AF71017", true)]   // small new-energy: letter, letter or digit, four digits
    [InlineData("粤B12345D", true)]   // large new-energy: five digits, letter
    [InlineData("沪AF7101Z", false)]  // a letter among the small new-energy plate's last four digits
    [InlineData("沪A1F1017", false)]  // a new-energy serial starts with its letter or five digits
    [InlineData("鄂F8888警", true)]
    public void Plate_format_check(string text, bool valid) => Assert.Equal(valid, PlateFormat.IsValid(text));

    [Theory]
    [InlineData(0, 7, PlateFormat.Provinces)]
    [InlineData(1, 8, PlateFormat.Letters)]
    [InlineData(3, 7, PlateFormat.Letters + PlateFormat.Digits)]
    [InlineData(6, 7, PlateFormat.Letters + PlateFormat.Digits + PlateFormat.Suffixes)]
    [InlineData(5, 8, PlateFormat.Digits)]
    public void Each_position_allows_what_GA_36_allows_there(int position, int length, string allowed) =>
        Assert.Equal(allowed, PlateFormat.AllowedAt(position, length));
}
