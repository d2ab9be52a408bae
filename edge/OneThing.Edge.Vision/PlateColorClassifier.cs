using Microsoft.Extensions.Options;
using OpenCvSharp;

namespace OneThing.Edge.Vision;

/// <summary>
/// Optional HyperLPR3 plate colour (blue, green, yellow): plain resize to 96x96, BGR / 255. It has no black or
/// white class, so police and cross-border plates come out blue; the text (警, 港) tells those apart.
/// </summary>
public sealed class PlateColorClassifier : IDisposable
{
    private readonly OnnxModel? _model;
    private readonly string[] _labels = [];
    private readonly int _size;

    public PlateColorClassifier(IOptions<VisionOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var o = options.Value;
        _size = o.Color.InputSize;
        if (!o.Color.Enabled)
        {
            return;
        }
        _labels = YoloxVehicleDetector.ReadLines(o.ModelPath(o.Color.Labels));
        _model = new OnnxModel(o.ModelPath(o.Color.Model), o.IntraOpNumThreads, o.Workers,
            [1, 3, _size, _size], [1, _labels.Length]);
    }

    /// <summary>The colour name, or null when the classifier is turned off.</summary>
    public string? Classify(Mat plate) => Score(plate)?.Color;

    /// <summary>The colour and the classifier's score for it, or null when the classifier is turned off.</summary>
    public (string Color, float Score)? Score(Mat plate)
    {
        ArgumentNullException.ThrowIfNull(plate);
        if (_model is null)
        {
            return null;
        }
        var ws = _model.Rent();
        try
        {
            Cv2.Resize(plate, ws.Canvas, new Size(_size, _size), 0, 0, InterpolationFlags.Linear);
            ws.FillInput(ws.Canvas, 1 / 255.0, 0, rgb: false);
            _model.Run(ws);
            var best = 0;
            for (var i = 1; i < ws.Output.Length; i++)
            {
                if (ws.Output[i] > ws.Output[best])
                {
                    best = i;
                }
            }
            return (_labels[best], ws.Output[best]);
        }
        finally
        {
            _model.Return(ws);
        }
    }

    public void Dispose() => _model?.Dispose();
}
