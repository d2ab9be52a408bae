using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using OneThing.Edge.Domain.Cases;
using OneThing.Edge.Domain.Outbox;
using OneThing.Edge.Domain.Violations;
using OneThing.Edge.Storage;
using OneThing.Edge.Storage.Outbox;
using OneThing.Edge.Storage.Violations;
using OneThing.Edge.TestKit;
using Refit;
using Xunit;

namespace OneThing.Edge.CloudConnector.Tests;

/// <summary>
/// How the dispatcher classifies answers, against a scripted traffic system and the real SQLite outbox on a fake
/// clock: no HTTP, no sleeps.
/// </summary>
public sealed class DispatcherTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero));
    private readonly ScriptedTrafficSystem _api = new();
    private readonly ViolationStore _store;
    private readonly SqliteOutbox _outbox;
    private readonly OutboxDispatcher _dispatcher;

    public DispatcherTests()
    {
        var directory = TestPaths.NewTempDirectory("onething-dispatch");
        var database = new SqliteDatabase(Path.Combine(directory, "edge.db"));
        database.MigrateAsync(None).GetAwaiter().GetResult();
        _store = new ViolationStore(database, _time);
        _outbox = new SqliteOutbox(database, Options.Create(new OutboxOptions
        {
            RetryBaseDelay = TimeSpan.FromSeconds(1),
            RetryMaxDelay = TimeSpan.FromMinutes(1),
            MaxAge = TimeSpan.FromHours(6),
        }), _time);
        _dispatcher = new OutboxDispatcher(_outbox, _api, new EvidenceFiles(new FileStore(Path.Combine(directory, "evidence"))), [],
            Options.Create(new TrafficSystemOptions()), NullLogger<OutboxDispatcher>.Instance);
    }

    [Theory]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    [InlineData(HttpStatusCode.InternalServerError)]
    [InlineData(HttpStatusCode.TooManyRequests)]
    [InlineData(HttpStatusCode.Unauthorized)]
    [InlineData(HttpStatusCode.Forbidden)]
    public async Task Transient_and_configuration_errors_are_retried_later(HttpStatusCode status)
    {
        var violation = await RecordAsync();
        _api.Next = () => throw Rejection(status, "{\"title\":\"try later\"}");

        await _dispatcher.DispatchDueAsync(None);

        var entry = (await _outbox.ListAsync(violation.Id, None))[0];
        Assert.Equal(OutboxState.Failed, entry.State);
        Assert.StartsWith($"{(int)status} ", entry.LastError, StringComparison.Ordinal);
        Assert.InRange(entry.NextAttemptAt - _time.GetUtcNow(), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task A_refused_connection_is_retried_later()
    {
        var violation = await RecordAsync();
        _api.Next = () => throw new HttpRequestException("Connection refused (127.0.0.1:1)");

        await _dispatcher.DispatchDueAsync(None);

        Assert.Equal(OutboxState.Failed, (await _outbox.ListAsync(violation.Id, None))[0].State);
    }

    [Theory]
    [InlineData(HttpStatusCode.BadRequest)]
    [InlineData(HttpStatusCode.UnprocessableEntity)]
    public async Task A_validation_error_is_dead_lettered_with_the_field_and_message(HttpStatusCode status)
    {
        var violation = await RecordAsync();
        _api.Next = () => throw Rejection(status, "{\"title\":\"The case is not valid.\",\"errors\":{\"plate\":[\"plate is not a plate number.\"]}}");

        await _dispatcher.DispatchDueAsync(None);

        var entry = (await _outbox.ListAsync(violation.Id, None))[0];
        Assert.Equal(OutboxState.DeadLettered, entry.State);
        Assert.Equal($"{(int)status} {status}: plate: plate is not a plate number.", entry.LastError);
    }

    [Fact]
    public async Task A_conflict_means_the_traffic_system_already_has_the_case()
    {
        var violation = await RecordAsync();
        _api.Next = () => throw Rejection(HttpStatusCode.Conflict, "");

        await _dispatcher.DispatchDueAsync(None);

        Assert.Equal(OutboxState.Sent, (await _outbox.ListAsync(violation.Id, None))[0].State);
        Assert.Equal(CaseState.Forwarded, (await _store.GetAsync(violation.Id, None))!.State);
    }

    [Fact]
    public async Task Retries_stop_with_a_dead_letter_once_the_case_is_older_than_the_maximum_age()
    {
        var violation = await RecordAsync();
        _api.Next = () => throw Rejection(HttpStatusCode.ServiceUnavailable, "");

        var passes = 0;
        while ((await _outbox.ListAsync(violation.Id, None))[0].State != OutboxState.DeadLettered)
        {
            await _dispatcher.DispatchDueAsync(None);
            _time.Advance(TimeSpan.FromMinutes(1));
            passes++;
        }

        // one attempt a minute at most (back-off cap), dead after six hours
        Assert.InRange(passes, 6 * 60, 6 * 60 + 1);
        var entry = (await _outbox.ListAsync(violation.Id, None))[0];
        Assert.StartsWith("undelivered after 06:00:00", entry.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task After_an_outage_the_backlog_is_due_at_once_when_one_call_gets_through()
    {
        var first = await RecordAsync();
        var second = await RecordAsync();
        _api.Next = () => throw new HttpRequestException("Connection refused");
        await _dispatcher.DispatchDueAsync(None);
        _time.Advance(TimeSpan.FromSeconds(1));
        await _dispatcher.DispatchDueAsync(None);
        var third = await RecordAsync();
        _api.Next = () => new CaseReceiptResponse("TS-1", new NoticeResponse("sent", _time.GetUtcNow()));

        await _dispatcher.DispatchDueAsync(None);

        // the first two were backed off by up to 2 s, yet went in the same pass as the new case
        foreach (var violation in new[] { first, second, third })
        {
            Assert.Equal(OutboxState.Sent, (await _outbox.ListAsync(violation.Id, None))[0].State);
        }
    }

    private async Task<Violation> RecordAsync()
    {
        var now = _time.GetUtcNow();
        var violation = new Violation(Guid.NewGuid(), "site-1", "lane-1", ViolationSource.Camera, "cam-1", null, null, "沪AF71017", 0.9, now.AddMinutes(-3), now, []);
        await _store.RecordAsync(violation, None);
        return violation;
    }

    private static ApiException Rejection(HttpStatusCode status, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "http://traffic.test/api/v1/violations");
        using var response = new HttpResponseMessage(status) { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/problem+json"), RequestMessage = request };
        return ApiException.Create(request, HttpMethod.Post, response, new RefitSettings()).GetAwaiter().GetResult();
    }

    /// <summary>Answers each case submission with whatever <see cref="Next"/> says.</summary>
    private sealed class ScriptedTrafficSystem : ITrafficSystemApi
    {
        public Func<CaseReceiptResponse> Next { get; set; } = () => throw new InvalidOperationException("no answer scripted");

        public Task<CaseReceiptResponse> SubmitViolationAsync(string idempotencyKey, ViolationCaseRequest violation, CancellationToken cancellationToken) =>
            Task.FromResult(Next());

        public Task UploadEvidenceAsync(Guid violationId, string sha256, HttpContent content, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task ReportClearanceAsync(Guid violationId, string idempotencyKey, ClearanceRequest clearance, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task AnchorAuditAsync(AuditAnchorRequest anchor, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
