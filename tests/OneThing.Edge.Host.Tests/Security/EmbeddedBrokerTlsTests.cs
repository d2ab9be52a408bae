using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MQTTnet;
using MQTTnet.Formatter;
using OneThing.Edge.Storage.Reports;
using OneThing.Edge.TestKit;
using Xunit;

namespace OneThing.Edge.Host.Tests.Security;

/// <summary>The embedded broker's TLS listener with a self-signed certificate made here, and a PDA reporting over it.</summary>
public sealed class EmbeddedBrokerTlsTests
{
    private const string PfxPassword = "pfx-test-password";

    private static X509Certificate2 SelfSigned()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
    }

    private static async Task<(GatewayHarness Gateway, int TlsPort, X509Certificate2 Certificate)> StartAsync(bool tlsOnly)
    {
        var certificate = SelfSigned();
        var pfx = Path.Combine(TestPaths.NewTempDirectory("tls"), "broker.pfx");
        await File.WriteAllBytesAsync(pfx, certificate.Export(X509ContentType.Pfx, PfxPassword));
        var tlsPort = FreePort.Next();
        var settings = new GatewaySettings().WithDevices();
        settings["OneThing:Mqtt:TlsPort"] = tlsPort.ToString(CultureInfo.InvariantCulture);
        settings["OneThing:Mqtt:TlsCertificatePath"] = pfx;
        settings["OneThing:Mqtt:TlsCertificatePassword"] = PfxPassword;
        settings["OneThing:Mqtt:TlsOnly"] = tlsOnly ? "true" : "false";
        return (await GatewayHarness.StartAsync(settings), tlsPort, certificate);
    }

    private static MqttClientOptionsBuilder PdaOverTls(int port, X509Certificate2 trusted) =>
        new MqttClientOptionsBuilder()
            .WithTcpServer("localhost", port)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId("pda-1-tls")
            .WithCredentials("pda-1", DeviceLogins.PasswordOf("pda-1"))
            .WithTimeout(TimeSpan.FromSeconds(10))
            .WithTlsOptions(tls => tls
                .UseTls()
                .WithTargetHost("localhost")
                // Pin the test's own certificate: self-signed, so the chain cannot be built, but it must be this one.
                .WithCertificateValidationHandler(c => c.Certificate is not null && c.Certificate.GetCertHashString() == trusted.Thumbprint));

    [Fact]
    public async Task A_pda_connects_over_tls_and_its_report_is_stored_with_a_receipt()
    {
        var (gateway, tlsPort, certificate) = await StartAsync(tlsOnly: false);
        await using var _ = gateway;
        using var pda = new MqttClientFactory().CreateMqttClient();
        var receipts = new List<string>();
        pda.ApplicationMessageReceivedAsync += e =>
        {
            lock (receipts)
            {
                receipts.Add(e.ApplicationMessage.ConvertPayloadToString());
            }
            return Task.CompletedTask;
        };

        var connected = await pda.ConnectAsync(PdaOverTls(tlsPort, certificate).Build());
        Assert.Equal(MqttClientConnectResultCode.Success, connected.ResultCode);
        await pda.SubscribeAsync(gateway.Settings.Topics.Receipts("pda-1"));
        var reportId = Guid.NewGuid().ToString();
        var puback = await pda.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(gateway.Settings.Topics.Reports("pda-1"))
            .WithPayload(Reports.Json(reportId))
            .WithQualityOfServiceLevel(MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce)
            .Build());

        Assert.True(puback.IsSuccess, puback.ReasonCode.ToString());
        Assert.NotNull(await gateway.Get<PdaReportStore>().FindAsync(reportId, default));
        await Eventually.ReturnsAsync(() => Task.FromResult(ReceiptsFor(receipts, reportId)), n => n == 1, what: "receipt over TLS");
        await pda.DisconnectAsync();
    }

    [Fact]
    public async Task Tls_only_closes_the_plain_listener_and_tls_still_checks_passwords()
    {
        var (gateway, tlsPort, certificate) = await StartAsync(tlsOnly: true);
        await using var _ = gateway;

        await Assert.ThrowsAnyAsync<Exception>(() => TestMqttClient.ConnectAsync(gateway.Settings.MqttPort, "pda-1-plain", "pda-1", DeviceLogins.PasswordOf("pda-1")));

        using var intruder = new MqttClientFactory().CreateMqttClient();
        var wrong = PdaOverTls(tlsPort, certificate).WithCredentials("pda-1", "wrong").Build();
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, (await intruder.ConnectAsync(wrong)).ResultCode);
        using var pda = new MqttClientFactory().CreateMqttClient();
        Assert.Equal(MqttClientConnectResultCode.Success, (await pda.ConnectAsync(PdaOverTls(tlsPort, certificate).Build())).ResultCode);
        await pda.DisconnectAsync();
    }

    private static int ReceiptsFor(List<string> receipts, string reportId)
    {
        lock (receipts)
        {
            return receipts.Count(r => r.Contains(reportId, StringComparison.Ordinal) && r.Contains("accepted", StringComparison.Ordinal));
        }
    }
}
