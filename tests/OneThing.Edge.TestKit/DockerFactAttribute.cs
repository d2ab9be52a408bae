using System.Net.Sockets;
using Xunit;

namespace OneThing.Edge.TestKit;

/// <summary>A fact that needs a Docker engine; skipped, with the reason shown, where none answers.</summary>
public sealed class DockerFactAttribute : FactAttribute
{
    public DockerFactAttribute()
    {
        if (!EngineAnswers())
        {
            Skip = "No Docker engine (unix:///var/run/docker.sock does not answer); the same flow runs against a Mosquitto process in PdaIntakeTests.";
        }
    }

    private static bool EngineAnswers()
    {
        const string socketPath = "/var/run/docker.sock";
        if (!File.Exists(socketPath))
        {
            return false;
        }
        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            socket.Connect(new UnixDomainSocketEndPoint(socketPath));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
