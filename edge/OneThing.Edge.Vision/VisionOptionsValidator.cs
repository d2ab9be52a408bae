using Microsoft.Extensions.Options;

namespace OneThing.Edge.Vision;

/// <summary>Checks at start that every configured model file exists and thresholds make sense; messages name the key.</summary>
public sealed class VisionOptionsValidator : IValidateOptions<VisionOptions>
{
    private const string S = VisionOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, VisionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = Check(options);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    public static IReadOnlyList<string> Check(VisionOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        var errors = new List<string>();
        var dirKey = VisionOptions.ModelsDirectoryKey;
        if (string.IsNullOrWhiteSpace(o.ModelsDirectory))
        {
            errors.Add($"{dirKey}: not set");
            return errors;
        }
        if (!Directory.Exists(o.ModelsDirectory))
        {
            errors.Add($"{dirKey}: folder {Path.GetFullPath(o.ModelsDirectory)} does not exist (run models/fetch.sh)");
            return errors;
        }

        void RequireFile(string key, string file)
        {
            if (string.IsNullOrWhiteSpace(file))
            {
                errors.Add($"{key}: not set");
            }
            else if (!File.Exists(o.ModelPath(file)))
            {
                errors.Add($"{dirKey}: {file} not found in {Path.GetFullPath(o.ModelsDirectory)} (named by {key})");
            }
        }

        void RequireRange(string key, double value, double min, double max)
        {
            if (double.IsNaN(value) || value < min || value > max)
            {
                errors.Add($"{key}: {value} is outside {min}..{max}");
            }
        }

        RequireFile($"{S}:Vehicle:Model", o.Vehicle.Model);
        RequireFile($"{S}:Vehicle:Labels", o.Vehicle.Labels);
        RequireFile($"{S}:Plate:Model", o.Plate.Model);
        RequireFile($"{S}:Reader:Model", o.Reader.Model);
        RequireFile($"{S}:Reader:Keys", o.Reader.Keys);
        if (o.Color.Enabled)
        {
            RequireFile($"{S}:Color:Model", o.Color.Model);
            RequireFile($"{S}:Color:Labels", o.Color.Labels);
        }

        if (!string.Equals(o.Vehicle.Decoder, "yolox", StringComparison.OrdinalIgnoreCase))
        {
            errors.Add($"{S}:Vehicle:Decoder: '{o.Vehicle.Decoder}' is not supported (supported: yolox)");
        }
        foreach (var stride in o.Vehicle.EffectiveStrides)
        {
            if (stride <= 0 || o.Vehicle.InputWidth % stride != 0 || o.Vehicle.InputHeight % stride != 0)
            {
                errors.Add($"{S}:Vehicle:Strides: {stride} does not divide the input {o.Vehicle.InputWidth}x{o.Vehicle.InputHeight}");
            }
        }
        RequireRange($"{S}:Vehicle:InputWidth", o.Vehicle.InputWidth, 32, 4096);
        RequireRange($"{S}:Vehicle:InputHeight", o.Vehicle.InputHeight, 32, 4096);
        RequireRange($"{S}:Vehicle:ScoreThreshold", o.Vehicle.ScoreThreshold, 0.01, 1);
        RequireRange($"{S}:Vehicle:NmsIoU", o.Vehicle.NmsIoU, 0.01, 1);
        RequireRange($"{S}:Plate:InputSize", o.Plate.InputSize, 32, 4096);
        RequireRange($"{S}:Plate:ObjectnessThreshold", o.Plate.ObjectnessThreshold, 0.01, 1);
        RequireRange($"{S}:Plate:NmsIoU", o.Plate.NmsIoU, 0.01, 1);
        RequireRange($"{S}:Plate:MinScore", o.Plate.MinScore, 0, 1);
        RequireRange($"{S}:Plate:VehicleMargin", o.Plate.VehicleMargin, 0, 1);
        RequireRange($"{S}:Reader:ResizeWidth", o.Reader.ResizeWidth, 8, o.Reader.PaddedWidth);
        RequireRange($"{S}:IntraOpNumThreads", o.IntraOpNumThreads, 1, 64);
        RequireRange($"{S}:Workers", o.Workers, 1, 256);
        RequireRange($"{S}:Frames:MaxBytes", o.Frames.MaxBytes, 1, int.MaxValue);
        RequireRange($"{S}:Frames:MaxSide", o.Frames.MaxSide, 1, 65535);
        return errors;
    }
}
