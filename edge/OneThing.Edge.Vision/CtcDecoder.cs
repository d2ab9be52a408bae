namespace OneThing.Edge.Vision;

/// <summary>One character greedy CTC kept: its class and the run of time steps it was the argmax of.</summary>
public readonly record struct CtcRun(int Class, float Probability, int FirstStep, int LastStep);

/// <summary>Greedy CTC decode of a [steps, classes] probability matrix: argmax, drop blanks (0) and repeats.</summary>
public static class CtcDecoder
{
    /// <param name="keys">Class i (1..keys.Count) is keys[i-1]; the one class past the keys is a space.</param>
    /// <returns>The text and the mean probability of the kept characters (0 when none).</returns>
    public static (string Text, float Confidence) Decode(ReadOnlySpan<float> probs, int classes, IReadOnlyList<string> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var runs = Runs(probs, classes);
        var text = string.Concat(runs.Select(r => Key(r.Class, keys)));
        return (text, runs.Count == 0 ? 0 : runs.Average(r => r.Probability));
    }

    /// <summary>The kept characters in order; a run's probability is that of its first step.</summary>
    public static List<CtcRun> Runs(ReadOnlySpan<float> probs, int classes)
    {
        var steps = probs.Length / classes;
        var runs = new List<CtcRun>();
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
            if (best != 0 && best == previous)
            {
                runs[^1] = runs[^1] with { LastStep = t };
            }
            else if (best != 0)
            {
                runs.Add(new CtcRun(best, row[best], t, t));
            }
            previous = best;
        }
        return runs;
    }

    public static string Key(int @class, IReadOnlyList<string> keys) => @class - 1 < keys.Count ? keys[@class - 1] : " ";
}
