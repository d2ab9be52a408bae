namespace OneThing.Edge.Vision;

/// <summary>Greedy CTC decode of a [steps, classes] probability matrix: argmax, drop blanks (0) and repeats.</summary>
public static class CtcDecoder
{
    /// <param name="keys">Class i (1..keys.Count) is keys[i-1]; the one class past the keys is a space.</param>
    /// <returns>The text and the mean probability of the kept characters (0 when none).</returns>
    public static (string Text, float Confidence) Decode(ReadOnlySpan<float> probs, int classes, IReadOnlyList<string> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var steps = probs.Length / classes;
        var text = new System.Text.StringBuilder();
        float sum = 0;
        var kept = 0;
        var previous = -1;
        for (var t = 0; t < steps; t++)
        {
            var row = probs.Slice(t * classes, classes);
            var best = 0;
            for (var c = 1; c < row.Length; c++)
            {
                if (row[c] > row[best])
                {
                    best = c;
                }
            }
            if (best != 0 && best != previous)
            {
                text.Append(best - 1 < keys.Count ? keys[best - 1] : " ");
                sum += row[best];
                kept++;
            }
            previous = best;
        }
        return (text.ToString(), kept == 0 ? 0 : sum / kept);
    }
}
