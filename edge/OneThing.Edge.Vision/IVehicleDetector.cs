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

    /// <summary><see cref="Detect"/> and <see cref="DetectPeople"/> from one run of the model.</summary>
    SceneDetections DetectWithPeople(Mat frame);
}

/// <summary>Vehicles and people of one frame, from one detector run.</summary>
public sealed record SceneDetections(IReadOnlyList<VehicleDetection> Vehicles, IReadOnlyList<Box> People);
