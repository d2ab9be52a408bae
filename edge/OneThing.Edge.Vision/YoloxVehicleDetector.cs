using Microsoft.Extensions.Options;
using OneThing.Edge.Domain.Detections;
using OneThing.Edge.Domain.Geometry;
using OpenCvSharp;

namespace OneThing.Edge.Vision;

/// <summary>
/// YOLOX-family vehicle detector (YOLOX-Nano 416 by default): BGR 0..255 into a top-left letterbox padded with
/// 114, grid decode, the vehicle classes merged by class-agnostic NMS (YOLOX often labels one van both car and
/// truck; two boxes would mean two plates and two violations).
/// </summary>
public sealed class YoloxVehicleDetector : IVehicleDetector, IDisposable
{
    private readonly VehicleDetectorOptions _options;
    private readonly OnnxModel _model;
    private readonly string[] _labels;
    private readonly bool[] _wanted;
    private readonly bool[] _people;
    private readonly int[] _strides;
    private readonly int _numClasses;

    public YoloxVehicleDetector(IOptions<VisionOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var o = options.Value;
        _options = o.Vehicle;
        _labels = ReadLines(o.ModelPath(_options.Labels));
        _numClasses = _labels.Length;
        _wanted = new bool[_numClasses];
        foreach (var name in _options.EffectiveVehicleClasses)
        {
            var id = Array.IndexOf(_labels, name);
            if (id < 0)
            {
                throw new InvalidOperationException($"{VisionOptions.SectionName}:Vehicle:VehicleClasses: '{name}' is not in {_options.Labels}");
            }
            _wanted[id] = true;
        }
        _people = new bool[_numClasses];
        if (Array.IndexOf(_labels, PersonLabel) is var person and >= 0)
        {
            _people[person] = true;
        }
        _strides = [.. _options.EffectiveStrides];
        var rows = YoloxDecoder.RowCount(_options.InputWidth, _options.InputHeight, _strides);
        _model = new OnnxModel(o.ModelPath(_options.Model), o.IntraOpNumThreads, o.Workers,
            [1, 3, _options.InputHeight, _options.InputWidth], [1, rows, 5 + _numClasses]);
    }

    /// <summary>The COCO label of people; a label file without it finds no people.</summary>
    public const string PersonLabel = "person";

    public OnnxModel Model => _model;

    public IReadOnlyList<VehicleDetection> Detect(Mat frame) => Vehicles(Run(frame, _wanted)[0]);

    public IReadOnlyList<Box> DetectPeople(Mat frame) => Run(frame, _people)[0].ConvertAll(c => c.Box);

    /// <summary>
    /// Both from one model run, each class set decoded and merged on its own: a person standing at a car must not
    /// suppress the car's box in a shared NMS.
    /// </summary>
    public SceneDetections DetectWithPeople(Mat frame)
    {
        var found = Run(frame, _wanted, _people);
        return new SceneDetections(Vehicles(found[0]), found[1].ConvertAll(c => c.Box));
    }

    private List<VehicleDetection> Vehicles(List<ClassBox> found) => found.ConvertAll(c => new VehicleDetection(c.Box, c.Score, _labels[c.ClassId]));

    /// <summary>One model run; per class set in <paramref name="wanted"/>, its boxes after NMS.</summary>
    private List<ClassBox>[] Run(Mat frame, params bool[][] wanted)
    {
        ModelWorkspace.RequireBgr(frame);
        var ws = _model.Rent();
        try
        {
            var letterbox = Preprocess(frame, ws);
            _model.Run(ws);
            return Array.ConvertAll(wanted, classes =>
            {
                var candidates = new List<ClassBox>();
                YoloxDecoder.Decode(ws.Output, _numClasses, _options.InputWidth, _options.InputHeight, _strides, letterbox,
                    frame.Width, frame.Height, _options.ScoreThreshold, classes, candidates);
                return NonMaxSuppression.Apply(candidates, c => c.Box, c => c.Score, _options.NmsIoU);
            });
        }
        finally
        {
            _model.Return(ws);
        }
    }

    /// <summary>Letterboxes the frame into the workspace's input tensor; public for the benchmark.</summary>
    public Letterbox Preprocess(Mat frame, ModelWorkspace ws)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ArgumentNullException.ThrowIfNull(ws);
        var lb = Letterbox.TopLeft(frame.Width, frame.Height, _options.InputWidth, _options.InputHeight);
        ws.Canvas.Create(_options.InputHeight, _options.InputWidth, MatType.CV_8UC3);
        ws.Canvas.SetTo(Scalar.All(_options.PadValue));
        using (var roi = new Mat(ws.Canvas, new Rect(0, 0, lb.ResizedWidth, lb.ResizedHeight)))
        {
            Cv2.Resize(frame, roi, new Size(lb.ResizedWidth, lb.ResizedHeight), 0, 0, InterpolationFlags.Linear);
        }
        ws.FillInput(ws.Canvas, 1, 0, rgb: false);
        return lb;
    }

    public void Dispose() => _model.Dispose();

    internal static string[] ReadLines(string path) =>
        File.ReadAllText(path).Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).ToArray();
}
