using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using MQTTnet.Server;

namespace OneThing.Edge.Messaging.Security;

/// <summary>The embedded broker's TLS listener (`OneThing:Mqtt:TlsPort`), added to the server options when configured.</summary>
public sealed class BrokerTls(BrokerSecurityOptions options)
{
    public void Apply(MqttServerOptionsBuilder builder, System.Net.IPAddress bindAddress)
    {
        if (options.TlsPort is not { } port)
        {
            return;
        }
        builder.WithEncryptedEndpoint()
            .WithEncryptedEndpointBoundIPAddress(bindAddress)
            .WithEncryptedEndpointPort(port)
            .WithEncryptionSslProtocol(SslProtocols.Tls12 | SslProtocols.Tls13)
            .WithEncryptionCertificate(LoadCertificate());
        if (options.TlsOnly)
        {
            builder.WithoutDefaultEndpoint();
        }
    }

    public X509Certificate2 LoadCertificate()
    {
        var path = options.TlsCertificatePath ?? throw new InvalidOperationException("OneThing:Mqtt:TlsCertificatePath is required with OneThing:Mqtt:TlsPort.");
        if (options.TlsKeyPath is { Length: > 0 } keyPath)
        {
            var pem = options.TlsCertificatePassword is { Length: > 0 } password
                ? X509Certificate2.CreateFromEncryptedPemFile(path, password, keyPath)
                : X509Certificate2.CreateFromPemFile(path, keyPath);
            // SslStream wants a key it can export on some platforms; a PKCS#12 round trip gives it one.
            using (pem)
            {
                return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
            }
        }
        return X509CertificateLoader.LoadPkcs12FromFile(path, options.TlsCertificatePassword);
    }
}
