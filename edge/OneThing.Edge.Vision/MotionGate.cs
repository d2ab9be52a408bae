using OneThing.Edge.Domain.Lanes;
using OpenCvSharp;
using PointF = OneThing.Edge.Domain.Geometry.PointF;

namespace OneThing.Edge.Vision;

/// <summary>`OneThing:Pipeline:MotionGate`: when a camera's frame may skip the vehicle detector.</summary>
public sealed class MotionGateOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// The detector still runs this often on a still scene: a safety net, since slow changes (dusk, a car that crept
    /// in) add up against the reference until the gate opens anyway. 15 s, not 5: on still scenes nearly every detector
    /// run was a keep-alive (26 of 128 frames/s at 128 gated cameras), and a change the gate missed is seen at most
    /// 15 s late, which can only delay a citation, not make one (BENCHMARKS.md, "Keep-alive").
    /// </summary>
    public double KeepAliveSeconds { get; set; } = 15;

    /// <summary>Grey-level change of one 8x8 block (a pixel of the 1/8-scale thumbnail) that counts as changed.</summary>
    public int BlockDelta { get; set; } = 20;

    /// <summary>
    /// Share of the watched blocks (those in and next to a lane) that must change to call the scene changed. For a
    /// lane over the lower half of a 1280x720 frame, 0.002 is 15 blocks; a car far away covers about 20.
    /// </summary>
    public double ChangedFraction { get; set; } = 0.002;
}

/// <summary>
/// One camera's reference scene: the thumbnail of the last frame the detector ran on. A frame whose thumbnail differs
/// from it in too few blocks, within the keep-alive time, shows the same vehicles in the same places, so its
/// detections are the reference's. Comparing with the last detected frame, not the previous one, lets slow changes
/// add up until they count. Only blocks in or next to a lane are watched: traffic elsewhere decides nothing, and a car
/// entering a lane changes the lane's blocks.
/// </summary>
public sealed class MotionGate
{
    private byte[] _reference = [];
    private Size _size;
    private DateTimeOffset _referenceAt;
    private int[] _watched = [];
    private IReadOnlyList<LaneDefinition>? _watchedLanes;

    /// <summary>Whether the detector must run on the frame with this thumbnail (grey, 8 bits) captured at <paramref name="capturedAt"/>.</summary>
    public bool NeedsDetection(Mat thumbnail, DateTimeOffset capturedAt, IReadOnlyList<LaneDefinition> lanes, MotionGateOptions options)
    {
        ArgumentNullException.ThrowIfNull(thumbnail);
        ArgumentNullException.ThrowIfNull(lanes);
        ArgumentNullException.ThrowIfNull(options);
        if (MustDetect(thumbnail.Size(), capturedAt, options))
        {
            return true;
        }
        if (!ReferenceEquals(lanes, _watchedLanes))
        {
            _watched = WatchedBlocks(_size, lanes);
            _watchedLanes = lanes;
        }
        var frame = Pixels(thumbnail);
        var changed = 0;
        foreach (var i in _watched)
        {
            if (Math.Abs(frame[i] - _reference[i]) > options.BlockDelta)
            {
                changed++;
            }
        }
        return changed >= Math.Max(1, options.ChangedFraction * _watched.Length);
    }

    /// <summary>
    /// Whether the detector must run whatever the thumbnail shows: no reference of that size yet, the clock stepped
    /// back, or the keep-alive time passed. Then the thumbnail need not be decoded first: the new reference can be
    /// taken from the full decode (<see cref="FrameDecoder.ThumbnailOf"/>).
    /// </summary>
    public bool MustDetect(Size thumbnailSize, DateTimeOffset capturedAt, MotionGateOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return !options.Enabled || thumbnailSize != _size || capturedAt < _referenceAt
            || capturedAt - _referenceAt >= TimeSpan.FromSeconds(options.KeepAliveSeconds);
    }

    /// <summary>Indexes of the blocks whose centre lies in a lane, grown by one block each way; every block when there are no lanes.</summary>
    private static int[] WatchedBlocks(Size size, IReadOnlyList<LaneDefinition> lanes)
    {
        var all = Enumerable.Range(0, size.Width * size.Height);
        if (lanes.Count == 0)
        {
            return [.. all];
        }
        var inLane = new bool[size.Width * size.Height];
        for (var y = 0; y < size.Height; y++)
        {
            for (var x = 0; x < size.Width; x++)
            {
                var centre = new PointF((x + 0.5f) / size.Width, (y + 0.5f) / size.Height);
                inLane[y * size.Width + x] = lanes.Any(l => LanePolygon.Contains(l.Polygon, centre));
            }
        }
        return [.. all.Where(i =>
        {
            int x = i % size.Width, y = i / size.Width;
            for (var dy = -1; dy <= 1; dy++)
            {
                for (var dx = -1; dx <= 1; dx++)
                {
                    int nx = x + dx, ny = y + dy;
                    if (nx >= 0 && ny >= 0 && nx < size.Width && ny < size.Height && inLane[ny * size.Width + nx])
                    {
                        return true;
                    }
                }
            }
            return false;
        })];
    }

    /// <summary>The detector ran on this frame: it is the new reference.</summary>
    public void Detected(Mat thumbnail, DateTimeOffset capturedAt)
    {
        ArgumentNullException.ThrowIfNull(thumbnail);
        var pixels = Pixels(thumbnail);
        if (_reference.Length != pixels.Length)
        {
            _reference = new byte[pixels.Length];
        }
        pixels.CopyTo(_reference);
        if (thumbnail.Size() != _size)
        {
            _watchedLanes = null; // the watched blocks are per thumbnail size
        }
        _size = thumbnail.Size();
        _referenceAt = capturedAt;
    }

    private static ReadOnlySpan<byte> Pixels(Mat thumbnail) =>
        thumbnail.Type() == MatType.CV_8UC1 && thumbnail.IsContinuous()
            ? thumbnail.AsSpan<byte>()
            : throw new ArgumentException("thumbnail must be a continuous 8-bit grey image", nameof(thumbnail));
}
