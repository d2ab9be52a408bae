namespace OneThing.Edge.Vision;

/// <summary>
/// Vision settings, bound from <c>OneThing:Vision</c>; <see cref="ModelsDirectory"/> comes from
/// <c>OneThing:Models:Directory</c>. Every model is named here so a site can drop in a stronger detector of the
/// same family (input size, labels, thresholds) without a code change.
/// </summary>
public sealed class VisionOptions
{
    public const string SectionName = "OneThing:Vision";
    public const string ModelsDirectoryKey = "OneThing:Models:Directory";

    public string ModelsDirectory { get; set; } = "models/onnx";

    /// <summary>Threads inside one model call; keep 1 and run one worker per core instead (MODELS.md throughput).</summary>
    public int IntraOpNumThreads { get; set; } = 1;

    /// <summary>Input buffers kept per model; one per concurrent inference worker.</summary>
    public int Workers { get; set; } = Environment.ProcessorCount;

    public FrameLimits Frames { get; set; } = new();
    public VehicleDetectorOptions Vehicle { get; set; } = new();
    public PlateDetectorOptions Plate { get; set; } = new();
    public PlateReaderOptions Reader { get; set; } = new();
    public PlateColorOptions Color { get; set; } = new();

    public string ModelPath(string file) => Path.Combine(ModelsDirectory, file);
}

/// <summary>What a frame may be before it is decoded (decompression-bomb and flood guards).</summary>
public sealed class FrameLimits
{
    public int MaxBytes { get; set; } = 8 * 1024 * 1024;
    public int MaxSide { get; set; } = 8192;
    public long MaxPixels { get; set; } = 40_000_000;
}

/// <summary>A YOLOX-family detector (anchor-free grid output, obj and cls already sigmoided).</summary>
public sealed class VehicleDetectorOptions
{
    public string Model { get; set; } = "yolox_nano_416.onnx";

    /// <summary>Output decoder; only <c>yolox</c> exists today.</summary>
    public string Decoder { get; set; } = "yolox";

    public int InputWidth { get; set; } = 416;
    public int InputHeight { get; set; } = 416;

    /// <summary>Grid strides in output row order; null means 8, 16, 32.</summary>
    public int[]? Strides { get; set; }

    public string Labels { get; set; } = "coco80_labels.txt";

    /// <summary>Label names treated as one "vehicle" class; null means car, motorcycle, bus, truck.</summary>
    public string[]? VehicleClasses { get; set; }

    public float PadValue { get; set; } = 114;
    public float ScoreThreshold { get; set; } = 0.3f;
    public float NmsIoU { get; set; } = 0.45f;

    // Defaults live outside the bound properties: the configuration binder appends to a non-empty array.
    public IReadOnlyList<int> EffectiveStrides => Strides is { Length: > 0 } s ? s : [8, 16, 32];
    public IReadOnlyList<string> EffectiveVehicleClasses =>
        VehicleClasses is { Length: > 0 } c ? c : ["car", "motorcycle", "bus", "truck"];
}

/// <summary>HyperLPR3 y5fu plate detector (box, 4 corners, single/double layer).</summary>
public sealed class PlateDetectorOptions
{
    public string Model { get; set; } = "hyperlpr3_y5fu_320x_sim.onnx";
    public int InputSize { get; set; } = 320;
    public float ObjectnessThreshold { get; set; } = 0.25f;
    public float NmsIoU { get; set; } = 0.5f;

    /// <summary>Weaker hits (0.23-0.41 in MODELS.md) were stickers and blurred background plates.</summary>
    public float MinScore { get; set; } = 0.5f;

    /// <summary>Vehicle boxes are grown by this share per side before the plate search, so bumpers are not cut.</summary>
    public float VehicleMargin { get; set; } = 0.1f;
}

/// <summary>PP-OCRv4 recogniser with the fixed-width recipe from MODELS.md.</summary>
public sealed class PlateReaderOptions
{
    public string Model { get; set; } = "ppocrv4_rec.onnx";
    public string Keys { get; set; } = "ppocr_keys_v1.txt";
    public int InputHeight { get; set; } = 48;
    public int ResizeWidth { get; set; } = 144;
    public int PaddedWidth { get; set; } = 320;
}

/// <summary>Optional HyperLPR3 plate colour classifier; an empty <see cref="Model"/> turns it off.</summary>
public sealed class PlateColorOptions
{
    public string Model { get; set; } = "hyperlpr3_litemodel_cls_96x_r1.onnx";
    public string Labels { get; set; } = "hyperlpr3_plate_color_labels.txt";
    public int InputSize { get; set; } = 96;
    public bool Enabled => !string.IsNullOrWhiteSpace(Model);
}
