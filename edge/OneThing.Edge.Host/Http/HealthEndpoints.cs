using OneThing.Edge.Host.OperatorConsole;
using OneThing.Edge.Messaging;
using OneThing.Edge.Messaging.Transport;
using OneThing.Edge.Storage;
using OneThing.Edge.Vision;

namespace OneThing.Edge.Host.Http;

public static class HealthEndpoints
{
    /// <summary>
    /// /healthz: the process is up. /readyz: broker connected, database writable, models loaded. A failed check's
    /// exception text (paths, SQL errors) is shown only to a signed-in operator; anyone else reads "failed".
    /// </summary>
    public static WebApplication MapHealth(this WebApplication app)
    {
        app.MapGet("/healthz", () => Results.Text("ok"));
        app.MapGet("/readyz", async (IGatewayBus bus, SqliteDatabase database, IServiceProvider services, OperatorSessions sessions, HttpContext context, CancellationToken cancellationToken) =>
        {
            var detailed = sessions.Operator(context) is not null;
            var checks = new Dictionary<string, string> { ["broker"] = bus.IsConnected ? "ok" : "disconnected" };
            try
            {
                await database.InTransactionAsync((c, t) => Task.FromResult(0), cancellationToken);
                checks["database"] = "ok";
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                checks["database"] = detailed ? e.Message : "failed";
            }
            try
            {
                // The detectors load their ONNX sessions when first resolved; a missing or corrupt model fails here.
                services.GetRequiredService<VehicleVision>();
                checks["models"] = "ok";
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                checks["models"] = detailed ? e.Message : "failed";
            }
            var ready = checks.Values.All(v => v == "ok");
            return Results.Json(new { ready, checks, version = GatewayStatus.Version }, statusCode: ready ? 200 : 503);
        });
        return app;
    }
}
