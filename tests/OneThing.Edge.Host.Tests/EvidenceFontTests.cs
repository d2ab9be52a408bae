using OneThing.Edge.TestKit;
using Xunit;

namespace OneThing.Edge.Host.Tests;

public sealed class EvidenceFontTests
{
    [Fact]
    public async Task A_missing_caption_font_stops_the_gateway_with_exit_code_2_naming_the_key_and_the_package()
    {
        var settings = new GatewaySettings();
        settings["OneThing:Evidence:FontPath"] = "/nonexistent/fonts/wqy-zenhei.ttc";
        await using var gateway = GatewayProcess.Start("run", settings.ToProcessArgs());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60)); // a refused configuration exits at once
        await gateway.WaitForExitAsync(timeout.Token);

        Assert.Equal(2, gateway.ExitCode);
        Assert.Contains("OneThing:Evidence:FontPath: /nonexistent/fonts/wqy-zenhei.ttc does not exist; install the Debian package fonts-wqy-zenhei",
            gateway.Output, StringComparison.Ordinal);
    }
}
