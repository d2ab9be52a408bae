using OneThing.Edge.Messaging;
using OneThing.Edge.Messaging.Transport;
using OneThing.Edge.Storage;

namespace OneThing.Edge.Host.Http;

public static class HealthEndpoints
{
    /// <summary>/healthz: the process is up. /readyz: broker connected and database writable.</summary>
    public static WebApplication MapHealth(this WebApplication app)
    {
        app.MapGet("/healthz", () => Results.Text("ok"));
        app.MapGet("/readyz", async (IGatewayBus bus, SqliteDatabase database, CancellationToken cancellationToken) =>
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
            var ready = checks.Values.All(v => v == "ok");
            return Results.Json(new { ready, checks, version = GatewayStatus.Version }, statusCode: ready ? 200 : 503);
        });
        return app;
    }
}
