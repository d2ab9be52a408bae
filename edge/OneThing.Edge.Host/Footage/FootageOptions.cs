namespace OneThing.Edge.Host.Footage;

/// <summary>
/// `OneThing:Footage`: each camera's frames kept on disk, reduced, so an operator can replay what the cameras saw with
/// other lane settings (what-if) or export it as a scenario.
/// </summary>
public sealed class FootageOptions
{
    public const string Section = "OneThing:Footage";

    public bool Enabled { get; set; } = true;

    /// <summary>At most one frame per camera this often (capture time).</summary>
    public double IntervalSeconds { get; set; } = 5;

    /// <summary>Longer side of a kept frame in pixels; larger frames are scaled down (never up).</summary>
    public int MaxSide { get; set; } = 640;

    public int JpegQuality { get; set; } = 80;

    /// <summary>Frames older than this are deleted, case frames too.</summary>
    public double WindowDays { get; set; } = 7;

    /// <summary>Disk budget per camera; over it the oldest frames not around a case go first.</summary>
    public long MaxBytesPerCamera { get; set; } = 2_000_000_000;

    /// <summary>Frames this long before a case's stop and after its confirmation are kept within the window whatever the budget.</summary>
    public double CaseMarginSeconds { get; set; } = 60;

    /// <summary>Frames waiting to be scaled and written, all cameras; when full, a frame is dropped (and counted), analysis never waits.</summary>
    public int QueueCapacity { get; set; } = 32;
}
