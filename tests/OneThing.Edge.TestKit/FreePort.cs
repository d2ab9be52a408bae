using System.Net;
using System.Net.Sockets;

namespace OneThing.Edge.TestKit;

public static class FreePort
{
    // Below Linux's ephemeral range (32768-60999): a port the OS picked with bind(0) is free only until an outgoing
    // connection of another test takes it as its local port, and a gateway started later in the test then fails with
    // "Address already in use" (CI, 2026-12-02). Each test process starts at its own random point of the range, so
    // the test projects that dotnet test runs side by side rarely try the same port, and each port is checked.
    private const int First = 20000;
    private const int Count = 12000;
    private static int _next = Random.Shared.Next(Count);

    /// <summary>A TCP port on loopback that was free a moment ago, outside the range the OS hands to outgoing connections.</summary>
    public static int Next()
    {
        for (var tries = 0; tries < Count; tries++)
        {
            var port = First + (int)((uint)Interlocked.Increment(ref _next) % Count);
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
                // In use by another test or process: try the next one.
            }
        }
        throw new InvalidOperationException($"no free port between {First} and {First + Count}");
    }
}
