using Microsoft.Extensions.Options;
using OneThing.Edge.Domain.Plates;
using OpenCvSharp;

namespace OneThing.Edge.Vision;

/// <summary>
/// What the reader made of one plate image: the raw model text, the plate text after clean-up and the format's
/// corrections, the mean and the per-character confidence, and whether it was read as two lines.
/// </summary>
public sealed record PlateTextReading(
    string Raw, string Text, float Confidence, bool IsValid, IReadOnlyList<float> CharConfidences, bool DoubleLayer = false);

/// <summary>
/// PP-OCRv4 recogniser with the recipe that read 99.1 % of 1000 plate crops: stretch to 48 x 144 whatever the
/// aspect ratio, BGR, (px/255 - 0.5)/0.5, right-pad with zeros to 320 (the training width), CTC greedy; then the
/// plate format (GA 36-2018) picks among the candidates where it decides. The colour helps choose the layout but
/// does not judge the length: on 1000 blue plate crops the classifier said green for 9 (6 with a score >= 0.99).
/// </summary>
public sealed class PlateReader : IDisposable
{
    private const int Classes = 6625;

    /// <summary>Below this probability a character was not read but guessed (see <see cref="Finish"/>).</summary>
    public const float MinCharacterProbability = 0.005f;

    /// <summary>A valid one-line reading whose least sure character is below this is read again sheared (<see cref="ReadLine"/>).</summary>
    public const float SureCharacterProbability = 0.9f;

    // Plates seen from the side lean their characters; the reader, trained on upright text, reads G as 6 or 5 as S.
    private static readonly float[] Shears = [-0.2f, 0.2f];
    private readonly PlateReaderOptions _options;
    private readonly OnnxModel _model;
    private readonly string[] _keys;
    // Per plate symbol (PlateText.Symbols), the model classes that spell it (upper and lower case).
    private readonly int[][] _symbolClasses;

    public PlateReader(IOptions<VisionOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var o = options.Value;
        _options = o.Reader;
        // One key per line and no trailing newline: a blank last line would shift nothing, but a dropped one would.
        _keys = File.ReadAllText(o.ModelPath(_options.Keys)).Split('\n').Select(k => k.TrimEnd('\r')).ToArray();
        _symbolClasses = [.. PlateText.Symbols.Select(s => Enumerable.Range(0, _keys.Length)
            .Where(i => _keys[i].Length == 1 && char.ToUpperInvariant(_keys[i][0]) == s).Select(i => i + 1).ToArray())];
        _model = new OnnxModel(o.ModelPath(_options.Model), o.IntraOpNumThreads, o.Workers,
            [1, 3, _options.InputHeight, _options.PaddedWidth], [1, _options.PaddedWidth / 8, Classes]);
    }

    public int KeyCount => _keys.Length;

    /// <summary>Reads a one-line plate image (BGR 8UC3, already rectified).</summary>
    public PlateTextReading Read(Mat plate) => ReadLine(plate);

    /// <summary>
    /// Reads a rectified plate in the layout <see cref="PlateLayout.IsDoubleLayer"/> gives it (read as one line, a
    /// truck's double-layer plate came out as "625792品"). When that reading breaks the format it tries the other
    /// layout and keeps a valid reading: two lines only for a plate not clearly one line by its shape, since two
    /// lines read from a one-line plate can make up a valid plate.
    /// </summary>
    public PlateTextReading ReadPlate(Mat rectified, bool detectedDouble, string? color)
    {
        ModelWorkspace.RequireBgr(rectified);
        var doubleLayer = PlateLayout.IsDoubleLayer(rectified.Width, rectified.Height, detectedDouble, color);
        var first = doubleLayer ? ReadTwoLines(rectified) : ReadLine(rectified);
        if (first.IsValid || (!doubleLayer && !PlateLayout.CouldBeDoubleLayer(rectified.Width, rectified.Height, color)))
        {
            return first;
        }
        var other = doubleLayer ? ReadLine(rectified) : ReadTwoLines(rectified);
        return other.IsValid ? other : first;
    }

    /// <summary>
    /// One line; a valid reading with a character less sure than <see cref="SureCharacterProbability"/> is read
    /// again at each of <see cref="Shears"/> and the valid reading with the highest product of character
    /// probabilities is kept: 993 -> 995 of the 1000 crops (G read as 6, 5 as S; a faint L now read as 1). Shears of
    /// +/-0.4 as well gave no more and cost two more reads each (docs/BENCHMARKS.md). An invalid reading is not read
    /// again: sheared, an armed-police plate the format does not know came out as a valid 湘E93015.
    /// </summary>
    private PlateTextReading ReadLine(Mat plate)
    {
        var reading = ReadLineAsIs(plate);
        if (!reading.IsValid || reading.CharConfidences.Min() >= SureCharacterProbability)
        {
            return reading;
        }
        foreach (var shear in Shears)
        {
            using var sheared = PlateRectifier.Shear(plate, shear);
            var other = ReadLineAsIs(sheared);
            if (other.IsValid && LogProbability(other) > LogProbability(reading))
            {
                reading = other;
            }
        }
        return reading;
    }

    private PlateTextReading ReadLineAsIs(Mat plate)
    {
        var (raw, glyphs) = Glyphs(plate);
        return Finish(raw, glyphs, doubleLayer: false);
    }

    private static double LogProbability(PlateTextReading reading) => reading.CharConfidences.Sum(p => Math.Log(Math.Max(p, 1e-9)));

    /// <summary>The upper line (province, letter) and the lower line (serial) read apart and joined.</summary>
    private PlateTextReading ReadTwoLines(Mat plate)
    {
        var lowerTop = PlateLayout.LowerLineTop(plate.Height);
        using var lower = new Mat(plate, new Rect(0, lowerTop, plate.Width, plate.Height - lowerTop));
        var (upperRaw, upperGlyphs) = ReadUpperLine(plate);
        var (lowerRaw, lowerGlyphs) = Glyphs(lower);
        var reading = Finish(upperRaw + "/" + lowerRaw, [.. upperGlyphs, .. lowerGlyphs], doubleLayer: true);
        // Two and five characters: a longer "plate" is a one-line plate read as two.
        return reading with { IsValid = reading.IsValid && reading.Text.Length == PlateFormat.OrdinaryLength };
    }

    /// <summary>
    /// The upper line read in each of <see cref="PlateLayout.UpperLineWindows"/> and voted
    /// (<see cref="PlateText.UpperLineVote"/>): among the readings that read a province and a letter themselves when
    /// there are any, else among all; the first window's reading cleaned when none held two characters. The raw
    /// text is the first window's. (Each window also read at its own aspect ratio, 24 reads, read no more plates.)
    /// </summary>
    private (string Raw, List<PlateGlyph> Glyphs) ReadUpperLine(Mat plate)
    {
        var readings = new List<IReadOnlyList<PlateGlyph>>();
        var asRead = new List<IReadOnlyList<PlateGlyph>>();
        (string Raw, List<PlateGlyph> Glyphs)? first = null;
        foreach (var window in PlateLayout.UpperLineWindows(plate.Width, plate.Height))
        {
            using var line = new Mat(plate, window);
            var read = Glyphs(line);
            first ??= read;
            (PlateText.ReadsProvinceAndLetter(read.Glyphs) ? asRead : readings).Add(PlateText.UpperLine(read.Glyphs));
        }
        return (first!.Value.Raw, PlateText.UpperLineVote(asRead.Count > 0 ? asRead : readings) ?? PlateText.Clean(first.Value.Glyphs));
    }

    private static PlateTextReading Finish(string raw, IReadOnlyList<PlateGlyph> glyphs, bool doubleLayer)
    {
        var plate = PlateText.Constrain(PlateText.Clean(glyphs));
        var text = PlateText.Join(plate);
        var confidence = plate.Count == 0 ? 0 : plate.Average(g => g.Probability);
        // On two lines, a character the reader gave almost nothing was picked by the format from what the reader did
        // not see (the 14-px upper line): a guess, and a guessed plate must not be cited. On the painted double-layer
        // plates 17 of 18 wrong readings had such a province; refused, the plate is read again grown up, and 23/41
        // read right with 6 wrong instead of 20 with 18. (On one-line crops the same floor lost one right reading.)
        var valid = PlateFormat.IsValid(text) && (!doubleLayer || plate.All(g => g.Probability >= MinCharacterProbability));
        return new PlateTextReading(raw, text, confidence, valid, [.. plate.Select(g => g.Probability)], doubleLayer);
    }

    private (string Raw, List<PlateGlyph> Glyphs) Glyphs(Mat image)
    {
        ModelWorkspace.RequireBgr(image);
        var ws = _model.Rent();
        try
        {
            Cv2.Resize(image, ws.Canvas, new Size(_options.ResizeWidth, _options.InputHeight), 0, 0, InterpolationFlags.Linear);
            // The padding columns are never written, so they stay 0 from allocation.
            ws.FillInput(ws.Canvas, 1 / 127.5, -1, rgb: false);
            _model.Run(ws);
            var probs = ws.Output;
            var runs = CtcDecoder.Runs(probs, Classes);
            var raw = string.Concat(runs.Select(r => CtcDecoder.Key(r.Class, _keys)));
            var glyphs = new List<PlateGlyph>(runs.Count);
            foreach (var run in runs)
            {
                var key = CtcDecoder.Key(run.Class, _keys);
                if (key.Length != 1)
                {
                    continue;
                }
                var candidates = new float[_symbolClasses.Length];
                for (var s = 0; s < candidates.Length; s++)
                {
                    foreach (var c in _symbolClasses[s])
                    {
                        for (var t = run.FirstStep; t <= run.LastStep; t++)
                        {
                            candidates[s] = Math.Max(candidates[s], probs[t * Classes + c]);
                        }
                    }
                }
                glyphs.Add(new PlateGlyph(key[0], run.Probability, candidates));
            }
            return (raw, glyphs);
        }
        finally
        {
            _model.Return(ws);
        }
    }

    public void Dispose() => _model.Dispose();
}
