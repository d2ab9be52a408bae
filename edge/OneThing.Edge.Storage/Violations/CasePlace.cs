using System.Globalization;
using OneThing.Edge.Domain.Geometry;

namespace OneThing.Edge.Storage.Violations;

/// <summary>A case's place (a box in frame pixels) as stored: "x1,y1,x2,y2", invariant culture.</summary>
public static class CasePlace
{
    public static string ToText(Box box) => string.Create(CultureInfo.InvariantCulture, $"{box.X1},{box.Y1},{box.X2},{box.Y2}");

    public static Box? Parse(string? text)
    {
        var parts = text?.Split(',');
        if (parts is not { Length: 4 })
        {
            return null;
        }
        var values = new float[4];
        for (var i = 0; i < 4; i++)
        {
            if (!float.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]))
            {
                return null;
            }
        }
        return new Box(values[0], values[1], values[2], values[3]);
    }
}
