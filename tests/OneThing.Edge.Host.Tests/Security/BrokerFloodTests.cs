using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using MQTTnet.Protocol;
using OneThing.Edge.Messaging.Security;
using OneThing.Edge.TestKit;
using Xunit;
using Xunit.Abstractions;

namespace OneThing.Edge.Host.Tests.Security;

/// <summary>
/// Hostile connections against the gateway's embedded broker (its own process, so its memory is measured alone)
/// while a camera and a PDA work. ONETHING_LOAD_CONNECTIONS sets how many attack at once (CI: 100; the figures in
/// docs/BENCHMARKS.md: 1000).
/// </summary>
public sealed class BrokerFloodTests(ITestOutputHelper output)
{
    private static readonly byte[] Frame = File.ReadAllBytes(TestPaths.Sample("scenes", "compound_4cars_xue1.jpg"));
    private const int ReportsDuringFlood = 20;
    private const long MaxGrowthBytes = 50L * 1024 * 1024;
    private static readonly TimeSpan MinFlood = TimeSpan.FromSeconds(25); // every attack kind, half-sent CONNECTs timed out twice

    private enum Attack { OversizedHeader, HalfSentConnect, WrongPassword }

    private static int Connections =>
        int.TryParse(Environment.GetEnvironmentVariable("ONETHING_LOAD_CONNECTIONS"), CultureInfo.InvariantCulture, out var n) ? n : 100;

    [Fact]
    public async Task Hostile_connections_leave_memory_flat_while_every_pda_report_is_accepted_and_frames_are_analysed()
    {
        var connections = Connections;
        var openFiles = OpenFilesLimit();
        Assert.True(openFiles >= connections + 1000, $"ulimit -n is {openFiles}; {connections} attackers need at least {connections + 1000} (raise it with `ulimit -n`)");

        var settings = new GatewaySettings().WithDevices();
        // Production-strength hashes for the accounts attacked, so every wrong password costs what it would.
        settings["OneThing:Mqtt:Devices:0:PasswordHash"] = DevicePassword.HashPassword(DeviceLogins.PasswordOf("cam-1"));
        settings["OneThing:Mqtt:Devices:2:PasswordHash"] = DevicePassword.HashPassword(DeviceLogins.PasswordOf("pda-1"));
        settings["OneThing:Mqtt:Devices:3:PasswordHash"] = DevicePassword.HashPassword(DeviceLogins.PasswordOf("pda-2"));
        var port = settings.MqttPort;
        var topics = settings.Topics;
        using var http = new HttpClient { BaseAddress = new Uri(settings.HttpUrl) };

        await using var gateway = GatewayProcess.Start("run", settings.ToProcessArgs());
        await Eventually.ReturnsAsync(() => GatewayHttp.ReadyAsync(http), ok => ok, TimeSpan.FromSeconds(120), "gateway ready");
        await using var pda = await DeviceLogins.LoginAsync(port, "pda-1");
        await pda.SubscribeAsync(topics.Receipts("pda-1"));
        await using var camera = await DeviceLogins.LoginAsync(port, "cam-1");
        using var stopCamera = new CancellationTokenSource();
        var cameraLoop = Task.Run(async () =>
        {
            while (!stopCamera.IsCancellationRequested)
            {
                await camera.PublishAsync(topics.Frames("cam-1"), Frame, MqttQualityOfServiceLevel.AtMostOnce, ("captured-at", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture)));
                await Task.Delay(500); // a camera's frame rate, not a wait for anything
            }
        });

        // Warm up: models loaded, frames analysed, a few reports stored. Then the same work without and with the
        // attack: the quiet phase is the reference for how much the gateway's memory grows from that work alone.
        await Eventually.ReturnsAsync(() => FramesAnalysedAsync(http), n => n >= 10, TimeSpan.FromSeconds(120), "frames analysed while warming up");
        var quiet = await PhaseAsync(gateway.Id, http, pda, topics, attackers: 0, port);
        var flood = await PhaseAsync(gateway.Id, http, pda, topics, connections, port);
        await stopCamera.CancelAsync();
        await cameraLoop;

        var refusals = (await http.GetStringAsync(new Uri("/metrics", UriKind.Relative))).Split('\n')
            .Where(l => l.StartsWith("onething_edge_broker_refusals{", StringComparison.Ordinal)).ToList();
        output.WriteLine($"CPU: {CpuModel()} ({Environment.ProcessorCount} cores, shared with other builds)");
        output.WriteLine($"hostile connections at once: {connections} (oversized header, half-sent CONNECT, wrong password, one third each, 4 per source address)");
        output.WriteLine($"quiet phase: {quiet}");
        output.WriteLine($"flood phase: {flood}");
        output.WriteLine($"growth at peak attributable to the attack: {Mib(flood.PeakGrowth - quiet.PeakGrowth)} MiB (flood phase minus quiet phase)");
        output.WriteLine("attack outcomes seen by the attackers: " + string.Join(", ", flood.Outcomes.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Key} {o.Value}")));
        output.WriteLine("refusals counted by the gateway (/metrics):");
        refusals.ForEach(output.WriteLine);

        Assert.Equal(ReportsDuringFlood, flood.ReportsAccepted);
        // The gateway's memory still grows from its own work this early (the quiet phase shows how much), so the
        // attack's share is the flood phase's growth beyond the quiet phase's.
        Assert.True(flood.PeakGrowth - quiet.PeakGrowth < MaxGrowthBytes, $"RSS grew by {Mib(flood.PeakGrowth)} MiB at peak under attack, {Mib(quiet.PeakGrowth)} MiB without");
        Assert.True(flood.FramesAnalysed >= 10, "camera frames stopped being analysed");
        Assert.DoesNotContain(flood.Outcomes.Keys, k => k.EndsWith("logged-in", StringComparison.Ordinal) || k.EndsWith("left-open", StringComparison.Ordinal));
        Assert.Contains(refusals, l => l.Contains("reason=\"connect-too-large\"", StringComparison.Ordinal));
        Assert.Contains(refusals, l => l.Contains("reason=\"connect-timeout\"", StringComparison.Ordinal));
        Assert.True(flood.Outcomes.Keys.Any(k => k.StartsWith(nameof(Attack.WrongPassword), StringComparison.Ordinal)), "no wrong-password attempt was answered");
    }

    private sealed record Phase(long RssBefore, long RssPeak, long RssAfter, int ReportsAccepted, double FramesAnalysed, double Seconds, IReadOnlyDictionary<string, int> Outcomes)
    {
        public long PeakGrowth => RssPeak - RssBefore;

        public override string ToString() =>
            $"{Seconds:F0} s, gateway RSS before {Mib(RssBefore)} MiB, peak {Mib(RssPeak)} MiB (+{Mib(PeakGrowth)}), after {Mib(RssAfter)} MiB (+{Mib(RssAfter - RssBefore)}); " +
            $"PDA reports accepted {ReportsAccepted}/{ReportsDuringFlood}; camera frames analysed {FramesAnalysed}";
    }

    /// <summary>
    /// <see cref="ReportsDuringFlood"/> PDA reports one after another and at least <see cref="MinFlood"/> of camera
    /// frames, with <paramref name="attackers"/> hostile connections at once, sampling the gateway's RSS.
    /// </summary>
    private static async Task<Phase> PhaseAsync(int pid, HttpClient http, TestMqttClient pda, OneThing.Edge.Messaging.TopicContract topics, int attackers, int port)
    {
        var rssBefore = ResidentBytes(pid);
        var framesBefore = await FramesAnalysedAsync(http);
        var peak = rssBefore;
        using var stopSampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!stopSampling.IsCancellationRequested)
            {
                peak = Math.Max(peak, ResidentBytes(pid));
                await Task.Delay(100);
            }
        });
        var clock = Stopwatch.StartNew();
        var outcomes = new ConcurrentDictionary<string, int>();
        using var stopAttack = new CancellationTokenSource();
        var attacks = Enumerable.Range(0, attackers).Select(i => Task.Run(() => AttackAsync(i, port, outcomes, stopAttack.Token))).ToList();
        var accepted = 0;
        for (var i = 0; i < ReportsDuringFlood; i++)
        {
            if (await ReportAsync(pda, topics) == "accepted")
            {
                accepted++;
            }
        }
        var frames = await Eventually.ReturnsAsync(async () => await FramesAnalysedAsync(http) - framesBefore, n => n >= 10 && clock.Elapsed >= MinFlood, TimeSpan.FromMinutes(5), "frames analysed");
        var seconds = clock.Elapsed.TotalSeconds;
        await stopAttack.CancelAsync();
        await Task.WhenAll(attacks);
        await stopSampling.CancelAsync();
        await sampler;
        return new Phase(rssBefore, peak, ResidentBytes(pid), accepted, frames, seconds, outcomes);
    }

    /// <summary>One attacker: its attack again and again until told to stop; outcomes by what the gateway did.</summary>
    private static async Task AttackAsync(int index, int port, ConcurrentDictionary<string, int> outcomes, CancellationToken stop)
    {
        var attack = (Attack)(index % 3);
        var from = new IPAddress([127, 1, (byte)(index / 4 / 250), (byte)(1 + index / 4 % 250)]);
        while (!stop.IsCancellationRequested)
        {
            string outcome;
            try
            {
                using var connection = await RawMqttConnection.OpenAsync(port, from);
                await connection.SendAsync(attack switch
                {
                    Attack.OversizedHeader => RawMqttConnection.LargestPacketHeader,
                    Attack.HalfSentConnect => RawMqttConnection.Connect($"half-{index}", "pda-2", "guess")[..12],
                    _ => RawMqttConnection.Connect($"guess-{index}", "pda-2", "guess"),
                });
                var answer = await connection.ReadUntilClosedAsync(TimeSpan.FromSeconds(60));
                outcome = answer is null ? "left-open"
                    : RawMqttConnection.ConnAckCode(answer) is { } code ? code == 0 ? "logged-in" : $"connack-{code}"
                    : "closed";
            }
            catch (System.Net.Sockets.SocketException e)
            {
                outcome = "connect-failed-" + e.SocketErrorCode;
            }
            outcomes.AddOrUpdate($"{attack} {outcome}", 1, (_, n) => n + 1);
            try
            {
                await Task.Delay(200 + index % 300, stop); // pacing, so the attackers do not take the two cores themselves
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static async Task<string?> ReportAsync(TestMqttClient pda, OneThing.Edge.Messaging.TopicContract topics)
    {
        var reportId = Guid.NewGuid().ToString();
        var puback = await pda.PublishAsync(topics.Reports("pda-1"), Reports.Json(reportId));
        if (!puback.IsSuccess)
        {
            return puback.ReasonCode.ToString();
        }
        var receipt = await pda.WaitForJsonAsync(topics.Receipts("pda-1"), r => r.GetProperty("reportId").GetString() == reportId, TimeSpan.FromSeconds(60));
        return receipt.GetProperty("status").GetString();
    }

    private static Task<double> FramesAnalysedAsync(HttpClient http) =>
        GatewayHttp.MetricAsync(http, "onething_edge_ingress_frames{", "camera=\"cam-1\"", "outcome=\"processed\"");

    private static long ResidentBytes(int pid) => StatusKilobytes(pid, "VmRSS:") * 1024;

    private static long StatusKilobytes(int pid, string field) =>
        long.Parse(File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith(field, StringComparison.Ordinal))[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);

    private static long OpenFilesLimit() =>
        long.Parse(File.ReadLines("/proc/self/limits").First(l => l.StartsWith("Max open files", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[3], CultureInfo.InvariantCulture);

    private static string CpuModel() =>
        File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown";

    private static long Mib(long bytes) => bytes / 1024 / 1024;
}
