using OneThing.Edge.Domain.Detections;
using OpenCvSharp;

namespace OneThing.Edge.Vision;

/// <summary>Finds vehicles in a BGR frame; implementations are thread-safe singletons.</summary>
public interface IVehicleDetector
{
    /// <summary>Vehicles after class-agnostic NMS, best first, boxes in frame pixels.</summary>
    IReadOnlyList<VehicleDetection> Detect(Mat frame);
}
