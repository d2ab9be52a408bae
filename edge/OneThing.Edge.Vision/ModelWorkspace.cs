using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using OpenCvSharp;

namespace OneThing.Edge.Vision;

/// <summary>
/// One worker's buffers for one model: input and output tensors on the pinned object heap wrapped by
/// <see cref="OrtValue"/>s, three OpenCV planes over the input tensor (so CHW filling is a native mixChannels, not a
/// managed per-pixel loop) and scratch images reused from frame to frame.
/// </summary>
public sealed class ModelWorkspace : IDisposable
{
    private readonly OrtValue _input;
    private readonly OrtValue _output;
    private readonly Mat[] _planes;
    private readonly int[] _bgr = [0, 0, 1, 1, 2, 2];
    private readonly int[] _rgb = [0, 2, 1, 1, 2, 0];

    internal ModelWorkspace(IReadOnlyList<long> inputShape, IReadOnlyList<long> outputShape)
    {
        Height = (int)inputShape[2];
        Width = (int)inputShape[3];
        Input = GC.AllocateArray<float>((int)Product(inputShape), pinned: true);
        Output = GC.AllocateArray<float>((int)Product(outputShape), pinned: true);
        _input = OrtValue.CreateTensorValueFromMemory(Input, [.. inputShape]);
        _output = OrtValue.CreateTensorValueFromMemory(Output, [.. outputShape]);
        InputValues = [_input];
        OutputValues = [_output];
        var planeBytes = Height * Width * sizeof(float);
        var basePtr = Marshal.UnsafeAddrOfPinnedArrayElement(Input, 0);
        _planes = new Mat[3];
        for (var c = 0; c < 3; c++)
        {
            _planes[c] = Mat.FromPixelData(Height, Width, MatType.CV_32FC1, basePtr + c * planeBytes);
        }
    }

    public int Width { get; }
    public int Height { get; }

    /// <summary>NCHW input tensor (pinned).</summary>
    public float[] Input { get; }

    /// <summary>Output tensor (pinned), valid after <see cref="OnnxModel.Run"/>.</summary>
    public float[] Output { get; }

    /// <summary>8-bit scratch image (letterbox canvas or resized crop).</summary>
    public Mat Canvas { get; } = new();

    /// <summary>Float scratch image for the scaled pixels.</summary>
    public Mat Scaled { get; } = new();

    internal RunOptions RunOptions { get; } = new();
    internal IReadOnlyCollection<OrtValue> InputValues { get; }
    internal IReadOnlyCollection<OrtValue> OutputValues { get; }

    /// <summary>
    /// Writes an 8UC3 BGR image (at most the input size) into the top-left of the input tensor as
    /// <c>px * alpha + beta</c>, channel order BGR or RGB. Tensor cells outside the image keep their value.
    /// </summary>
    public void FillInput(Mat bgr, double alpha, double beta, bool rgb)
    {
        RequireBgr(bgr);
        bgr.ConvertTo(Scaled, MatType.CV_32FC3, alpha, beta);
        var fromTo = rgb ? _rgb : _bgr;
        if (bgr.Width == Width && bgr.Height == Height)
        {
            Cv2.MixChannels([Scaled], _planes, fromTo);
            return;
        }
        var roi = new Rect(0, 0, bgr.Width, bgr.Height);
        using var p0 = new Mat(_planes[0], roi);
        using var p1 = new Mat(_planes[1], roi);
        using var p2 = new Mat(_planes[2], roi);
        Cv2.MixChannels([Scaled], [p0, p1, p2], fromTo);
    }

    /// <summary>Every model here takes 3-channel 8-bit images, as <see cref="FrameDecoder"/> produces.</summary>
    public static void RequireBgr(Mat image, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(image))] string? name = null)
    {
        ArgumentNullException.ThrowIfNull(image, name);
        if (image.Type() != MatType.CV_8UC3 || image.Empty())
        {
            throw new ArgumentException($"a non-empty 8-bit BGR image (CV_8UC3) is expected, got {image.Type()} {image.Width}x{image.Height}", name);
        }
    }

    public void Dispose()
    {
        foreach (var p in _planes)
        {
            p.Dispose();
        }
        Canvas.Dispose();
        Scaled.Dispose();
        _input.Dispose();
        _output.Dispose();
        RunOptions.Dispose();
    }

    private static long Product(IReadOnlyList<long> shape)
    {
        long n = 1;
        foreach (var d in shape)
        {
            n *= d;
        }
        return n;
    }
}
