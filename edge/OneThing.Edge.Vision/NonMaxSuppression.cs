using OneThing.Edge.Domain.Geometry;

namespace OneThing.Edge.Vision;

/// <summary>Greedy non-maximum suppression, class-agnostic: one physical object keeps one box whatever its label.</summary>
public static class NonMaxSuppression
{
    /// <summary>Sorts <paramref name="candidates"/> by score (descending) and returns the kept ones in that order.</summary>
    public static List<T> Apply<T>(List<T> candidates, Func<T, Box> box, Func<T, float> score, float iouThreshold)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        candidates.Sort((a, b) => score(b).CompareTo(score(a)));
        var kept = new List<T>();
        foreach (var c in candidates)
        {
            var b = box(c);
            var suppressed = false;
            foreach (var k in kept)
            {
                if (box(k).IoU(b) > iouThreshold)
                {
                    suppressed = true;
                    break;
                }
            }
            if (!suppressed)
            {
                kept.Add(c);
            }
        }
        return kept;
    }
}
