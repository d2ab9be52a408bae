using OneThing.Edge.Domain.Cases;
using OneThing.Edge.Messaging.Security;
using OneThing.Edge.Storage.Violations;
using OneThing.Edge.TestKit;
using Xunit;
using Xunit.Abstractions;

namespace OneThing.Edge.EndToEnd.Tests.Officer;

/// <summary>
/// The officer app (`/officer`) on a 360x640 touch screen in Debian's Chromium against a real gateway: MQTT 5 over
/// WebSocket, the device HTTP API, the real models reading the plate, SQLite, the traffic-system simulator.
/// Keeps a screenshot of each screen (`TestPaths.Screenshot`: docs/images with ONETHING_UPDATE_SCREENSHOTS=1).
/// </summary>
public sealed class OfficerAppTests(ITestOutputHelper output)
{
    /// <summary>A CCPD photo of a car whose plate the models read as 皖AMK620.</summary>
    private static readonly string PlatePhoto = TestPaths.Sample("plates", "ccpd_rpnet_demo_3.jpg");

    [Fact]
    public async Task An_officer_reports_a_car_with_the_plate_read_from_the_photo_and_tickets_an_escalated_case()
    {
        await using var site = await OfficerSite.StartAsync();
        await using var phone = await OfficerPhone.OpenAsync(site.AppUrl, output);
        await phone.Page.FillAsync("#login-username", OfficerSite.Username);
        await phone.ScreenshotAsync("officer-login.png");
        await phone.LogInAsync(OfficerSite.Username, OfficerSite.Password);

        // A new report: the photo's plate is read by the gateway and filled in; the officer picks the lane.
        await phone.TapAsync("#tab-report");
        await phone.TakePhotoAsync(PlatePhoto);
        await phone.Page.WaitForFunctionAsync("() => document.getElementById('report-plate').value === '皖AMK620'", null, new() { Timeout = 60_000 });
        await phone.Page.SelectOptionAsync("#report-lane", "lane-a");
        await phone.Page.FillAsync("#report-note", "消防通道口");
        await phone.ScreenshotAsync("officer-report.png");
        await phone.TapAsync("#report-submit");
        await phone.WaitForOutboxAsync("accepted");
        Assert.Equal(1, await site.StoredReportsAsync());

        // A car with no owner on record is escalated: its task appears live, with the evidence thumbnails.
        await phone.TapAsync("#tab-tasks");
        await site.PlayParkedCarsAsync();
        var task = phone.Page.Locator("#task-list li.task", new() { HasTextString = OfficerSite.UnownedPlate });
        await task.WaitForAsync(new() { Timeout = 60_000 });
        await phone.Page.WaitForFunctionAsync("() => [...document.querySelectorAll('#task-list li .thumbs img')].some(i => i.complete && i.naturalWidth > 0)",
            null, new() { Timeout = 30_000 });
        await phone.ScreenshotAsync("officer-tasks.png");

        // The officer opens it, photographs the car and answers "ticketed": the case is closed as ticketed.
        var taskId = await task.GetAttributeAsync("data-task-id");
        await task.TapAsync();
        Assert.Equal(OfficerSite.UnownedPlate, await phone.Page.InputValueAsync("#report-plate"));
        await phone.TakePhotoAsync(FireLaneLoopTests.Scene);
        await phone.TapAsync("#report-submit");
        await phone.WaitForOutboxAsync("accepted,accepted");
        await phone.ScreenshotAsync("officer-outbox.png");
        var violationId = Guid.Parse(taskId!["task-".Length..]);
        var store = site.Gateway.Get<ViolationStore>();
        await Eventually.ReturnsAsync(async () => (await store.GetAsync(violationId, default))!.State, s => s == CaseState.Ticketed,
            TimeSpan.FromSeconds(30), "case ticketed by the app's answer");
        await phone.TapAsync("#tab-tasks");
        await phone.Page.Locator($"#task-list li[data-task-id='{taskId}']").WaitForAsync(new() { State = Microsoft.Playwright.WaitForSelectorState.Detached });
    }

    [Fact]
    public async Task A_rejected_report_says_why_in_plain_words_and_is_accepted_once_corrected()
    {
        await using var site = await OfficerSite.StartAsync();
        await using var phone = await OfficerPhone.OpenAsync(site.AppUrl, output);
        await phone.LogInAsync(OfficerSite.Username, OfficerSite.Password);
        await phone.TapAsync("#tab-report");
        await phone.TakePhotoAsync(PlatePhoto);
        await phone.Page.Locator("#plate-status", new() { HasTextString = "已识别车牌" }).WaitForAsync(new() { Timeout = 60_000 });
        await phone.Page.FillAsync("#report-plate", "ABC123");
        await phone.Page.SelectOptionAsync("#report-lane", "lane-a");
        await phone.TapAsync("#report-submit");
        await phone.WaitForOutboxAsync("rejected");
        Assert.Equal("车牌号码格式不对", await phone.Page.TextContentAsync("#outbox-list li .reason"));

        // Corrected: the same photo and lane under a new reportId; the rejected one is marked as replaced.
        await phone.TapAsync("#outbox-list li .correct");
        Assert.Equal("ABC123", await phone.Page.InputValueAsync("#report-plate"));
        await phone.Page.FillAsync("#report-plate", "皖AMK620");
        await phone.TapAsync("#report-submit");
        await phone.WaitForOutboxAsync("accepted,replaced");
        Assert.Equal(1, await site.StoredReportsAsync());
    }

    [Fact]
    public async Task A_refused_login_shows_the_error_and_the_app_does_not_keep_connecting_with_it()
    {
        await using var site = await OfficerSite.StartAsync();
        await using var phone = await OfficerPhone.OpenAsync(site.AppUrl, output);
        var loginError = phone.Page.Locator("#screen-login:not([hidden]) #login-message", new() { HasTextString = "账号或密码错误" });

        // A wrong password in the form: refused, said so, and the app stays on the login screen.
        await phone.Page.FillAsync("#login-username", OfficerSite.Username);
        await phone.Page.FillAsync("#login-password", "not-the-password");
        await phone.TapAsync("#login-button");
        await loginError.WaitForAsync(new() { Timeout = 30_000 });

        // Logged in; then the PDA's password is changed on the gateway: the broker refuses the app's saved login once,
        // and the app goes back to the login screen instead of trying it again every reconnect period (3 s).
        await phone.LogInAsync(OfficerSite.Username, OfficerSite.Password);
        await site.ChangeOfficerPasswordAsync("a-new-officer-password");
        await loginError.WaitForAsync(new() { Timeout = 30_000 });
        var refusals = site.Gateway.Get<BrokerRefusals>();
        await Eventually.ReturnsAsync(() => Task.FromResult(refusals.Count(RefusalKind.Connect, "bad-password")), n => n >= 1, TimeSpan.FromSeconds(30), "the old password refused");
        await Eventually.NeverAsync(() => Task.FromResult(refusals.Count(RefusalKind.Connect)), n => n > 1, TimeSpan.FromSeconds(10), "a second connection attempt");
        Assert.Equal(1, refusals.Count(RefusalKind.Connect, "bad-password"));
    }

    [Fact]
    public async Task Reports_made_offline_survive_closing_the_browser_and_are_accepted_exactly_once_when_the_network_returns()
    {
        await using var site = await OfficerSite.StartAsync();
        await using var phone = await OfficerPhone.OpenAsync(site.AppUrl, output);
        await phone.LogInAsync(OfficerSite.Username, OfficerSite.Password);
        await phone.WaitOfflineReadyAsync();

        // The network is gone: the browser is offline and the gateway unreachable (an open WebSocket is cut too).
        await phone.SetOfflineAsync(true);
        await site.StopGatewayAsync();
        await phone.Page.Locator("#connection[data-state=offline]").WaitForAsync(new() { Timeout = 30_000 });
        foreach (var plate in new[] { "皖AMK620", "皖A195K9" })
        {
            await phone.TapAsync("#tab-report");
            await phone.TakePhotoAsync(PlatePhoto);
            await phone.Page.FillAsync("#report-plate", plate);
            await phone.Page.SelectOptionAsync("#report-lane", "lane-a");
            await phone.TapAsync("#report-submit");
        }
        await phone.WaitForOutboxAsync("waiting,waiting");

        // The browser is closed and opened again, still offline: the app and both reports are there.
        await phone.ReopenAsync(site.AppUrl, offline: true);
        await phone.TapAsync("#tab-outbox");
        await phone.WaitForOutboxAsync("waiting,waiting");

        // The network returns: both are sent with their reportIds and accepted, each stored once.
        await site.RestartGatewayAsync();
        await phone.SetOfflineAsync(false);
        await phone.WaitForOutboxAsync("accepted,accepted");
        Assert.Equal(2, await site.StoredReportsAsync());
    }
}
