using System.Diagnostics;
using System.Net.Sockets;

namespace OneThing.Edge.TestKit;

/// <summary>
/// A real Mosquitto process (Debian package) on a free loopback port with persistence in a temp folder, so tests
/// can stop and restart it and see persistent sessions survive.
/// </summary>
public sealed class MosquittoBroker : IAsyncDisposable
{
    private Process? _process;

    private MosquittoBroker(int port, string directory, string extraConfig)
    {
        Port = port;
        Directory = directory;
        ConfigPath = Path.Combine(directory, "mosquitto.conf");
        File.WriteAllText(ConfigPath, $"""
            listener {port} 127.0.0.1
            allow_anonymous true
            user root
            persistence true
            persistence_location {directory}/
            autosave_interval 1
            max_inflight_messages 100
            max_queued_messages 100000
            log_dest file {directory}/mosquitto.log
            {extraConfig}
            """);
    }

    private const int SigTerm = 15;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    public int Port { get; }
    public string Directory { get; }
    public string ConfigPath { get; }

    public static string Executable =>
        new[] { "/usr/sbin/mosquitto", "/usr/bin/mosquitto", "/usr/local/sbin/mosquitto" }.FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("mosquitto is not installed (apt-get install mosquitto); .ci/run installs it.");

    /// <param name="extraConfig">More mosquitto.conf lines, e.g. password_file and acl_file.</param>
    public static async Task<MosquittoBroker> StartAsync(string extraConfig = "")
    {
        var broker = new MosquittoBroker(FreePort.Next(), TestPaths.NewTempDirectory("mosquitto"), extraConfig);
        await broker.StartProcessAsync();
        return broker;
    }

    /// <summary>Stops the broker with SIGTERM, so it saves its persistence file like a service stop would.</summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false })
        {
            _ = Kill(_process.Id, SigTerm);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill();
                await _process.WaitForExitAsync();
            }
        }
        _process?.Dispose();
        _process = null;
    }

    public async Task RestartAsync()
    {
        await StopAsync();
        await StartProcessAsync();
    }

    private async Task StartProcessAsync()
    {
        _process = Process.Start(new ProcessStartInfo(Executable, ["-c", ConfigPath]) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true })!;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"mosquitto exited with {_process.ExitCode}: {await _process.StandardError.ReadToEndAsync()} {ReadLog()}");
            }
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", Port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }
        throw new TimeoutException($"mosquitto did not listen on {Port} within 10 s. {ReadLog()}");
    }

    public string ReadLog()
    {
        var log = Path.Combine(Directory, "mosquitto.log");
        return File.Exists(log) ? File.ReadAllText(log) : "";
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
