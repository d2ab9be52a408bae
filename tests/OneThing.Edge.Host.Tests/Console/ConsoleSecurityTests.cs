using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using OneThing.Edge.Host.OperatorConsole;
using OneThing.Edge.TestKit;
using Xunit;

namespace OneThing.Edge.Host.Tests.Console;

/// <summary>Issue 14 item 8: login throttling, token length, Secure cookies, /readyz detail, sessions of removed tokens.</summary>
public sealed class ConsoleSecurityTests
{
    private static readonly IPAddress Client = IPAddress.Parse("192.0.2.7");

    [Fact]
    public void Failed_logins_back_off_from_one_second_doubling_and_a_success_resets()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var throttle = new LoginThrottle(time);
        for (var i = 0; i < LoginThrottle.FreeFailures - 1; i++)
        {
            throttle.Failed(Client);
            Assert.Null(throttle.RetryAfter(Client));
        }
        throttle.Failed(Client);
        Assert.Equal(TimeSpan.FromSeconds(1), throttle.RetryAfter(Client));
        Assert.Null(throttle.RetryAfter(IPAddress.Parse("192.0.2.8")));

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(throttle.RetryAfter(Client));
        throttle.Failed(Client);
        Assert.Equal(TimeSpan.FromSeconds(2), throttle.RetryAfter(Client));
        time.Advance(TimeSpan.FromSeconds(2));
        throttle.Failed(Client);
        Assert.Equal(TimeSpan.FromSeconds(4), throttle.RetryAfter(Client));

        time.Advance(TimeSpan.FromSeconds(4));
        throttle.Succeeded(Client);
        throttle.Failed(Client);
        Assert.Null(throttle.RetryAfter(Client));
    }

    [Fact]
    public async Task The_sixth_failed_login_from_an_address_gets_429_with_retry_after_even_with_the_right_token()
    {
        await using var gateway = await GatewayHarness.StartAsync(ConsoleGateway.Settings());
        using var client = ConsoleGateway.Client(gateway);
        for (var i = 0; i < LoginThrottle.FreeFailures; i++)
        {
            using var wrong = await client.PostAsJsonAsync("/api/login", new { token = "wrong-token-guess" });
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }
        using var throttled = await client.PostAsJsonAsync("/api/login", new { token = ConsoleGateway.Token });
        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), throttled.Headers.RetryAfter?.Delta);

        await Task.Delay(TimeSpan.FromSeconds(1.1));
        using var right = await client.PostAsJsonAsync("/api/login", new { token = ConsoleGateway.Token });
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
    }

    [Fact]
    public async Task A_short_console_token_stops_the_start_naming_the_key_not_the_token()
    {
        var settings = ConsoleGateway.Settings();
        settings["OneThing:Console:Token"] = "short-secret";
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => GatewayHarness.StartAsync(settings));
        Assert.Contains("OneThing:Console:Token", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("short-secret", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task SecureCookie_marks_the_session_cookie_secure_behind_a_tls_proxy(bool secure)
    {
        var settings = ConsoleGateway.Settings();
        settings["OneThing:Console:SecureCookie"] = secure ? "true" : "false";
        await using var gateway = await GatewayHarness.StartAsync(settings);
        using var client = new HttpClient { BaseAddress = new Uri(gateway.Settings.HttpUrl) };
        using var response = await client.PostAsJsonAsync("/api/login", new { token = ConsoleGateway.Token });
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"));
        Assert.Equal(secure, cookie.Contains("secure", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Readyz_shows_exception_text_only_to_a_signed_in_operator()
    {
        await using var gateway = await GatewayHarness.StartAsync(ConsoleGateway.Settings());
        using var anonymous = ConsoleGateway.Client(gateway);
        using var signedIn = await ConsoleGateway.SignedInAsync(gateway);
        var data = gateway.Settings.DataDirectory;
        // The database becomes unreachable: new connections cannot open a file in a missing folder.
        SqliteConnection.ClearAllPools();
        Directory.Move(data, data + "-away");
        try
        {
            var forAnyone = await ReadyzAsync(anonymous);
            var forOperator = await ReadyzAsync(signedIn);
            Assert.Equal("failed", forAnyone.GetProperty("database").GetString());
            Assert.Contains("SQLite", forOperator.GetProperty("database").GetString(), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Move(data + "-away", data);
        }
    }

    [Fact]
    public void A_session_ends_when_its_operators_token_is_removed_from_configuration()
    {
        const string token = "alice-console-token-1234";
        var options = new ConsoleOptions { Operators = [new OperatorOptions { Name = "alice", TokenSha256 = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token))) }] };
        var monitor = new Monitor(options);
        var sessions = new OperatorSessions(monitor, new FakeTimeProvider(DateTimeOffset.UtcNow));
        var request = new DefaultHttpContext();
        request.Request.Headers.Cookie = $"{OperatorSessions.CookieName}={sessions.Open("alice", token)}";
        Assert.Equal("alice", sessions.Operator(request));

        monitor.CurrentValue = new ConsoleOptions { Token = "a-different-operator-token" };
        Assert.Null(sessions.Operator(request));
        monitor.CurrentValue = options;
        Assert.Null(sessions.Operator(request)); // ended, not just hidden
    }

    private static async Task<JsonElement> ReadyzAsync(HttpClient client)
    {
        using var response = await client.GetAsync(new Uri("/readyz", UriKind.Relative));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("checks");
    }

    private sealed class Monitor(ConsoleOptions value) : IOptionsMonitor<ConsoleOptions>
    {
        public ConsoleOptions CurrentValue { get; set; } = value;
        public ConsoleOptions Get(string? name) => CurrentValue;
        public IDisposable? OnChange(Action<ConsoleOptions, string?> listener) => null;
    }
}
