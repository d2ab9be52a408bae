using OneThing.Edge.Domain.Detections;
using OneThing.Edge.Domain.Geometry;
using OpenCvSharp;

namespace OneThing.Edge.Vision;

/// <summary>Finds vehicles in a BGR frame; implementations are thread-safe singletons.</summary>
public interface IVehicleDetector
{
    /// <summary>Vehicles after class-agnostic NMS, best first, boxes in frame pixels.</summary>
    IReadOnlyList<VehicleDetection> Detect(Mat frame);

    /// <summary>People (the model's person class) in frame pixels: what evidence must blur before it leaves the site.</summary>
    IReadOnlyList<Box> DetectPeople(Mat frame);
}
