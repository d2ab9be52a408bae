using Microsoft.Playwright;
using OneThing.Edge.TestKit;
using Xunit.Abstractions;

namespace OneThing.Edge.EndToEnd.Tests.Officer;

/// <summary>
/// An Android PDA: Debian's Chromium with a 360x640 touch screen, Chinese, and a profile kept on disk, so closing and
/// relaunching it is closing and reopening the browser (IndexedDB, the service worker and the login survive).
/// </summary>
public sealed class OfficerPhone : IAsyncDisposable
{
    private readonly IPlaywright _playwright;
    private readonly string _profile;
    private readonly ITestOutputHelper _output;
    private IBrowserContext _context = null!;

    private OfficerPhone(IPlaywright playwright, string profile, ITestOutputHelper output)
    {
        _playwright = playwright;
        _profile = profile;
        _output = output;
    }

    public IPage Page { get; private set; } = null!;

    public static async Task<OfficerPhone> OpenAsync(string url, ITestOutputHelper output)
    {
        var phone = new OfficerPhone(await Playwright.CreateAsync(), TestPaths.NewTempDirectory("officer-phone"), output);
        await phone.LaunchAsync(url, offline: false);
        return phone;
    }

    private async Task LaunchAsync(string url, bool offline)
    {
        _context = await DebianChromium.LaunchPersistentAsync(_playwright, _profile, new()
        {
            ViewportSize = new() { Width = 360, Height = 640 },
            DeviceScaleFactor = 2,
            IsMobile = true,
            HasTouch = true,
            Locale = "zh-CN",
            Offline = offline,
            ServiceWorkers = ServiceWorkerPolicy.Allow,
        });
        Page = _context.Pages.Count > 0 ? _context.Pages[0] : await _context.NewPageAsync();
        Page.Console += (_, message) => _output.WriteLine($"browser console: {message.Text}");
        Page.PageError += (_, error) => _output.WriteLine($"page error: {error}");
        await Page.GotoAsync(url);
        await Page.Locator("body[data-ready=true]").WaitForAsync();
    }

    /// <summary>Closes the browser and opens the app again, offline or not.</summary>
    public async Task ReopenAsync(string url, bool offline)
    {
        await _context.CloseAsync();
        await LaunchAsync(url, offline);
    }

    public Task SetOfflineAsync(bool offline) => _context.SetOfflineAsync(offline);

    public async Task LogInAsync(string username, string password)
    {
        await Page.FillAsync("#login-username", username);
        await Page.FillAsync("#login-password", password);
        await Page.Locator("#login-button").TapAsync();
        await WaitOnlineAsync();
    }

    public Task WaitOnlineAsync() => Page.Locator("#connection[data-state=online]").WaitForAsync(new() { Timeout = 30_000 });

    /// <summary>Resolves once the service worker controls the page: from then on the app opens without network.</summary>
    public Task WaitOfflineReadyAsync() =>
        Page.WaitForFunctionAsync("async () => { await navigator.serviceWorker.ready; return !!navigator.serviceWorker.controller; }",
            null, new() { Timeout = 30_000, PollingInterval = 1000 });

    public Task TapAsync(string selector) => Page.Locator(selector).TapAsync();

    /// <summary>Takes a photo with the camera: the file chooser of the photo button, answered with a sample image.</summary>
    public async Task TakePhotoAsync(string file)
    {
        var chooser = await Page.RunAndWaitForFileChooserAsync(() => Page.Locator("#report-photo-button").TapAsync());
        await chooser.SetFilesAsync(file);
        await Page.Locator("#report-preview:not([hidden])").WaitForAsync();
    }

    /// <summary>The outbox's report states (data-state), newest first.</summary>
    public Task<string[]> OutboxStatesAsync() =>
        Page.Locator("#outbox-list li").EvaluateAllAsync<string[]>("items => items.map(i => i.dataset.state)");

    public Task WaitForOutboxAsync(string states) =>
        Page.WaitForFunctionAsync("expected => [...document.querySelectorAll('#outbox-list li')].map(i => i.dataset.state).join(',') === expected",
            states, new() { Timeout = 60_000 });

    public async Task ScreenshotAsync(string name)
    {
        var path = TestPaths.Screenshot(name);
        // The screen from its top, without a focused field's scroll position.
        await Page.EvaluateAsync("() => { document.activeElement?.blur(); document.querySelectorAll('.screen').forEach(s => s.scrollTo(0, 0)); }");
        await Page.ScreenshotAsync(new() { Path = path });
        _output.WriteLine($"screenshot: {path}");
    }

    public async ValueTask DisposeAsync()
    {
        await _context.CloseAsync();
        _playwright.Dispose();
    }
}
