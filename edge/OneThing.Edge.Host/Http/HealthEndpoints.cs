using OneThing.Edge.Messaging;
using OneThing.Edge.Messaging.Transport;
using OneThing.Edge.Storage;
using OneThing.Edge.Vision;

namespace OneThing.Edge.Host.Http;

public static class HealthEndpoints
{
    /// <summary>/healthz: the process is up. /readyz: broker connected, database writable, models loaded.</summary>
    public static WebApplication MapHealth(this WebApplication app)
    {
        app.MapGet("/healthz", () => Results.Text("ok"));
        app.MapGet("/readyz", async (IGatewayBus bus, SqliteDatabase database, IServiceProvider services, CancellationToken cancellationToken) =>
        {
            var checks = new Dictionary<string, string> { ["broker"] = bus.IsConnected ? "ok" : "disconnected" };
            try
            {
                await database.InTransactionAsync((c, t) => Task.FromResult(0), cancellationToken);
                checks["database"] = "ok";
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                checks["database"] = e.Message;
            }
            try
            {
                // The detectors load their ONNX sessions when first resolved; a missing or corrupt model fails here.
                services.GetRequiredService<VehicleVision>();
                checks["models"] = "ok";
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                checks["models"] = e.Message;
            }
            var ready = checks.Values.All(v => v == "ok");
            return Results.Json(new { ready, checks, version = GatewayStatus.Version }, statusCode: ready ? 200 : 503);
        });
        return app;
    }
}
