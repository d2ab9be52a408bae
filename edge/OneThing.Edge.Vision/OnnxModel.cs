using Microsoft.Extensions.ObjectPool;
using Microsoft.ML.OnnxRuntime;

namespace OneThing.Edge.Vision;

/// <summary>
/// One shared <see cref="InferenceSession"/> for a single-input, single-output float model, called concurrently by
/// many workers. Each concurrent call rents a <see cref="ModelWorkspace"/> (pinned input and output tensors, OpenCV
/// scratch images) from a pool, so steady-state frames allocate no large arrays.
/// </summary>
public sealed class OnnxModel : IDisposable
{
    private readonly InferenceSession _session;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly ObjectPool<ModelWorkspace> _pool;

    /// <param name="inputShape">Fixed NCHW input shape (the model's own when static).</param>
    /// <param name="outputShape">Fixed output shape for that input.</param>
    public OnnxModel(string path, int intraOpNumThreads, int workers, long[] inputShape, long[] outputShape)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        ArgumentNullException.ThrowIfNull(outputShape);
        if (inputShape.Length != 4)
        {
            throw new ArgumentException("an NCHW input shape is expected", nameof(inputShape));
        }
        Path = path;
        InputShape = inputShape;
        OutputShape = outputShape;
        using var options = new SessionOptions
        {
            IntraOpNumThreads = intraOpNumThreads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            // Some HyperLPR3 graphs log harmless "initializer appears in graph inputs" warnings.
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        // Spinning workers burn the cores the other inference workers need (measured in MODELS.md).
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        _session = new InferenceSession(path, options);
        _inputNames = [_session.InputNames[0]];
        _outputNames = [_session.OutputNames[0]];
        CheckShape("input", _session.InputMetadata[_inputNames[0]].Dimensions, inputShape);
        CheckShape("output", _session.OutputMetadata[_outputNames[0]].Dimensions, outputShape);
        var provider = new DefaultObjectPoolProvider { MaximumRetained = Math.Max(1, workers) };
        _pool = provider.Create(new WorkspacePolicy(this));
    }

    public string Path { get; }
    public IReadOnlyList<long> InputShape { get; }
    public IReadOnlyList<long> OutputShape { get; }
    public string InputName => _inputNames[0];

    public ModelWorkspace Rent() => _pool.Get();

    public void Return(ModelWorkspace workspace) => _pool.Return(workspace);

    /// <summary>Runs the model on the workspace's input tensor into its output tensor (no allocation of tensors).</summary>
    public void Run(ModelWorkspace workspace)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        _session.Run(workspace.RunOptions, _inputNames, workspace.InputValues, _outputNames, workspace.OutputValues);
    }

    /// <summary>The raw session, for benchmarks that time <c>Run</c> alone.</summary>
    public InferenceSession Session => _session;

    public void Dispose()
    {
        (_pool as IDisposable)?.Dispose();
        _session.Dispose();
    }

    private void CheckShape(string what, int[] declared, long[] wanted)
    {
        var ok = declared.Length == wanted.Length;
        for (var i = 0; ok && i < declared.Length; i++)
        {
            ok = declared[i] < 0 || declared[i] == wanted[i];
        }
        if (!ok)
        {
            throw new InvalidOperationException(
                $"{System.IO.Path.GetFileName(Path)}: {what} shape [{string.Join(',', declared)}] does not match the configured [{string.Join(',', wanted)}]");
        }
    }

    private sealed class WorkspacePolicy(OnnxModel model) : IPooledObjectPolicy<ModelWorkspace>
    {
        public ModelWorkspace Create() => new(model.InputShape, model.OutputShape);

        public bool Return(ModelWorkspace obj) => true;
    }
}
