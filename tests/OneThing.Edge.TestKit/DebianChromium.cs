using Microsoft.Playwright;

namespace OneThing.Edge.TestKit;

/// <summary>
/// Debian's Chromium driven by Playwright's bundled driver (no browser download): the browser tests of the console and
/// the officer app launch it the same way.
/// </summary>
public static class DebianChromium
{
    public const string ExecutablePath = "/usr/bin/chromium";

    private static readonly string[] Args =
        ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

    private static void AssertInstalled()
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException($"{ExecutablePath} is missing: apt-get install -y chromium");
        }
    }

    public static Task<IBrowser> LaunchAsync(IPlaywright playwright)
    {
        AssertInstalled();
        return playwright.Chromium.LaunchAsync(new() { ExecutablePath = ExecutablePath, Headless = true, Args = Args });
    }

    /// <summary>A browser whose profile (IndexedDB, service workers, local storage) lives in <paramref name="profile"/>, so closing and relaunching it is like closing and reopening the browser on a phone.</summary>
    public static Task<IBrowserContext> LaunchPersistentAsync(IPlaywright playwright, string profile, BrowserTypeLaunchPersistentContextOptions options)
    {
        AssertInstalled();
        options.ExecutablePath = ExecutablePath;
        options.Headless = true;
        options.Args = Args;
        return playwright.Chromium.LaunchPersistentContextAsync(profile, options);
    }
}
