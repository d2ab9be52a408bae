using Microsoft.Extensions.Options;
using Microsoft.Playwright;
using OneThing.Edge.Domain.Configuration;
using OneThing.Edge.Host.Tests.Console;
using OneThing.Edge.Storage.Cases;
using OneThing.Edge.TestKit;
using Xunit;
using Xunit.Abstractions;

namespace OneThing.Edge.Host.Tests.Tuning;

/// <summary>The tuning screen in Debian's Chromium: label cases, run a what-if, apply it; keeps a screenshot for the docs.</summary>
public sealed class TuningBrowserTests(ITestOutputHelper output)
{
    [Fact]
    public async Task An_operator_marks_false_alarms_sees_what_a_longer_confirmation_would_do_and_applies_it()
    {
        await using var gateway = await GatewayHarness.StartAsync(TuningGateway.Settings());
        await TuningGateway.PlayAsync(gateway, DateTimeOffset.UtcNow.AddMinutes(-5), 40);
        await Eventually.ReturnsAsync(() => gateway.Get<CaseRecorder>().CasesAsync(openOnly: false, default), c => c.Count >= 2, TimeSpan.FromSeconds(30), "two cases");

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await DebianChromium.LaunchAsync(playwright);
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1400, Height = 1000 } });
        page.Console += (_, message) => output.WriteLine($"browser console: {message.Text}");
        page.PageError += (_, error) => output.WriteLine($"page error: {error}");
        await page.GotoAsync(gateway.Settings.HttpUrl);
        await page.FillAsync("#login-token", ConsoleGateway.Token);
        await page.ClickAsync("#login-button");
        await page.Locator("#console").WaitForAsync(new() { State = WaitForSelectorState.Visible });
        await page.ClickAsync("#tuning-link");
        await page.Locator("#label-cases tr[data-case-id]").Nth(1).WaitForAsync();

        for (var i = 0; i < 2; i++)
        {
            var row = page.Locator("#label-cases tr[data-case-id]").Nth(i);
            await row.Locator(".label-reason").SelectOptionAsync("short-stop");
            await row.Locator(".label-false").ClickAsync();
            await page.Locator("#label-cases tr[data-case-id]").Nth(i).Locator("td", new() { HasTextString = "false-alarm: short-stop" }).WaitForAsync();
        }

        Assert.Equal("15", await page.InputValueAsync("#wi-confirm"));
        await page.FillAsync("#wi-confirm", "60");
        await page.ClickAsync("#wi-run");
        await page.Locator("#wi-score-candidate").WaitForAsync(new() { Timeout = 300_000 });
        Assert.Equal("0.00", await page.TextContentAsync("#wi-score-live td:nth-child(6)"));
        Assert.Equal("1.00", await page.TextContentAsync("#wi-score-candidate td:nth-child(6)"));
        Assert.Equal(2, await page.Locator("#wi-cases tr.change-dropped").CountAsync());

        var screenshot = TestPaths.Screenshot("console-what-if.png");
        await page.ScreenshotAsync(new() { Path = screenshot, FullPage = true });
        output.WriteLine($"screenshot: {screenshot}");

        await page.ClickAsync("#wi-apply");
        await page.Locator("#wi-state", new() { HasTextString = "applied" }).WaitForAsync();
        Assert.Equal(60, gateway.Get<IOptionsMonitor<SiteOptions>>().CurrentValue.Cameras[0].Lanes[0].ConfirmSeconds);
    }
}
