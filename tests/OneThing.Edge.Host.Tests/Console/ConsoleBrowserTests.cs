using Microsoft.Playwright;
using OneThing.Edge.TestKit;
using Xunit;
using Xunit.Abstractions;

namespace OneThing.Edge.Host.Tests.Console;

/// <summary>The console in Debian's Chromium (Playwright's bundled driver, no browser download) against a running gateway.</summary>
public sealed class ConsoleBrowserTests(ITestOutputHelper output)
{
    [Fact]
    public async Task An_operator_signs_in_draws_a_lane_sets_a_threshold_and_the_gateway_uses_it()
    {
        await using var gateway = await GatewayHarness.StartAsync(ConsoleGateway.Settings());
        var watch = await ConsoleGateway.SendFrameAsync(gateway);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await DebianChromium.LaunchAsync(playwright);
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1400, Height = 1100 } });
        await page.GotoAsync(gateway.Settings.HttpUrl);

        await page.FillAsync("#login-token", ConsoleGateway.Token);
        await page.ClickAsync("#login-button");
        await page.Locator("#console").WaitForAsync(new() { State = WaitForSelectorState.Visible });
        // The frame is loaded and the drawing canvas sized to it.
        await page.WaitForFunctionAsync("() => { const i = document.getElementById('frame'); return i.complete && i.naturalWidth > 0 && document.getElementById('draw').width > 0; }");

        await page.SelectOptionAsync("#lane", "");
        await page.FillAsync("#lane-id", "lane-north");
        var canvas = page.Locator("#draw");
        var box = await canvas.BoundingBoxAsync() ?? throw new InvalidOperationException("canvas not laid out");
        (float X, float Y)[] corners = [(0.1f, 0.1f), (0.6f, 0.1f), (0.6f, 0.4f), (0.1f, 0.4f)];
        foreach (var (x, y) in corners)
        {
            await canvas.ClickAsync(new() { Position = new() { X = x * box.Width, Y = y * box.Height } });
        }
        Assert.Equal("4", await page.TextContentAsync("#point-count"));
        await page.FillAsync("#stop-seconds", "42");
        await page.FillAsync("#confirm-seconds", "75");
        await page.ClickAsync("#save-lane");
        await page.Locator("#lane-message", new() { HasTextString = "saved" }).WaitForAsync();

        var lane = Assert.Single(watch.Engine.Lanes, l => l.Id == "lane-north");
        Assert.Equal(4, lane.Polygon.Count);
        Assert.Equal(0.1f, lane.Polygon[0].X, 2);
        Assert.Equal(0.4f, lane.Polygon[2].Y, 2);
        Assert.Equal(42, lane.StopSeconds);
        Assert.Equal(75, lane.ConfirmSeconds);
        Assert.Contains(watch.Engine.Lanes, l => l.Id == "lane-a");

        // Reload the frame so the saved lane is drawn by the gateway too, then keep a screenshot as the artifact.
        await page.EvaluateAsync("() => refreshFrame()");
        await page.WaitForFunctionAsync("() => document.getElementById('frame').complete");
        await page.WaitForTimeoutAsync(500);
        var screenshot = Path.Combine(TestPaths.RepoRoot, "TestResults", "console-lane-drawn.png");
        await page.ScreenshotAsync(new() { Path = screenshot, FullPage = true });
        output.WriteLine($"screenshot: {screenshot}");
        Assert.True(new FileInfo(screenshot).Length > 10_000);
    }
}
