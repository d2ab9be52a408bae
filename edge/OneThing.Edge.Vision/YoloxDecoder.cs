using OneThing.Edge.Domain.Geometry;

namespace OneThing.Edge.Vision;

/// <summary>A scored box of one class, before or after NMS.</summary>
public readonly record struct ClassBox(Box Box, float Score, int ClassId);

/// <summary>
/// YOLOX anchor-free grid decode. Rows come stride by stride (8, 16, 32), row-major inside a stride; a row is
/// <c>[tx, ty, tw, th, obj, cls...]</c> with obj and cls already sigmoided in the graph.
/// </summary>
public static class YoloxDecoder
{
    public static int RowCount(int inputWidth, int inputHeight, IReadOnlyList<int> strides)
    {
        ArgumentNullException.ThrowIfNull(strides);
        var n = 0;
        foreach (var s in strides)
        {
            n += inputWidth / s * (inputHeight / s);
        }
        return n;
    }

    /// <summary>
    /// Appends to <paramref name="into"/> every row whose best class is wanted and whose score (obj * cls) reaches
    /// the threshold, with its box mapped back through the letterbox and clamped to the image.
    /// </summary>
    public static void Decode(
        ReadOnlySpan<float> output, int numClasses, int inputWidth, int inputHeight, IReadOnlyList<int> strides,
        Letterbox letterbox, int imageWidth, int imageHeight, float threshold, ReadOnlySpan<bool> wantedClass,
        List<ClassBox> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        var rowLength = 5 + numClasses;
        var rows = RowCount(inputWidth, inputHeight, strides);
        if (output.Length != rows * rowLength)
        {
            throw new ArgumentException($"expected {rows}x{rowLength} values, got {output.Length}", nameof(output));
        }
        var row = 0;
        foreach (var s in strides)
        {
            int gw = inputWidth / s, gh = inputHeight / s;
            for (var gy = 0; gy < gh; gy++)
            {
                for (var gx = 0; gx < gw; gx++, row++)
                {
                    var r = output.Slice(row * rowLength, rowLength);
                    var obj = r[4];
                    if (obj < threshold)
                    {
                        continue; // cls <= 1, so obj bounds the score
                    }
                    var cls = r[5..];
                    var best = 0;
                    for (var c = 1; c < cls.Length; c++)
                    {
                        if (cls[c] > cls[best])
                        {
                            best = c;
                        }
                    }
                    var score = obj * cls[best];
                    if (score < threshold || !wantedClass[best])
                    {
                        continue;
                    }
                    var cx = (r[0] + gx) * s;
                    var cy = (r[1] + gy) * s;
                    var w = MathF.Exp(r[2]) * s;
                    var h = MathF.Exp(r[3]) * s;
                    var box = letterbox.ToImage(new Box(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2))
                        .ClampTo(imageWidth, imageHeight);
                    if (box.Area > 0)
                    {
                        into.Add(new ClassBox(box, score, best));
                    }
                }
            }
        }
    }
}
