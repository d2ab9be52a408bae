using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OneThing.Edge.Domain.Cases;
using OneThing.Edge.Domain.Outbox;
using OneThing.TrafficSystem.Simulator;
using Xunit;

namespace OneThing.Edge.CloudConnector.Tests;

/// <summary>Gateway outbox and simulator over real HTTP on loopback, real SQLite in temp folders.</summary>
public sealed class DeliveryTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task A_confirmed_case_texts_the_owner_of_its_plate()
    {
        await using var traffic = await TrafficSystemUnderTest.StartAsync();
        await using var gateway = await GatewayUnderTest.StartAsync(traffic.BaseAddress);
        var violation = await gateway.NewViolationAsync(plate: "皖A53J96");

        await gateway.Store.RecordAsync(violation, None);

        await Eventually.HoldsAsync(async () => (await gateway.Store.GetAsync(violation.Id, None))!.State == CaseState.Notified, "case notified");
        var notice = Assert.Single(await traffic.NoticesAsync());
        Assert.Equal((violation.Id, "皖A53J96", "sent"), (notice.ViolationId, notice.Plate, notice.Status));
        Assert.Equal(PhoneMask.Mask(traffic.Owners.Find("皖A53J96")!.Phone), notice.Phone);
        var stored = await gateway.Store.GetAsync(violation.Id, None);
        Assert.Equal(notice.CaseId, stored!.CaseId);
        Assert.Equal(NoticeStatuses.Sent, stored.NoticeStatus);
        Assert.Equal(
            [("forwarded", violation.Id, notice.CaseId), ("notified", violation.Id, notice.CaseId)],
            gateway.Lifecycle.Events.Select(e => (e.Event, e.ViolationId, e.Detail)));
    }

    [Fact]
    public async Task A_case_waits_while_the_traffic_system_is_down_and_is_delivered_once_when_it_is_back()
    {
        var traffic = new TrafficSystemUnderTest();
        await using (traffic)
        {
            await using var gateway = await GatewayUnderTest.StartAsync(traffic.BaseAddress);
            var violation = await gateway.NewViolationAsync();

            await gateway.Store.RecordAsync(violation, None);
            await Eventually.HoldsAsync(async () => (await gateway.Outbox.ListAsync(violation.Id, None))[0] is { State: OutboxState.Failed, Attempts: >= 2 },
                "failed twice while nothing listens", describe: async () => (await gateway.Outbox.ListAsync(violation.Id, None))[0].ToString());
            Assert.Contains("refused", (await gateway.Outbox.ListAsync(violation.Id, None))[0].LastError, StringComparison.OrdinalIgnoreCase);

            await traffic.StartListeningAsync();

            await Eventually.HoldsAsync(async () => (await gateway.Outbox.ListAsync(violation.Id, None))[0].State == OutboxState.Sent, "sent after the outage");
            var notice = Assert.Single(await traffic.NoticesAsync());
            Assert.Equal(violation.Id, notice.ViolationId);
        }
    }

    [Fact]
    public async Task A_slow_traffic_system_is_retried_and_the_owner_texted_once()
    {
        await using var traffic = await TrafficSystemUnderTest.StartAsync();
        await using var gateway = await GatewayUnderTest.StartAsync(traffic.BaseAddress);
        // two answers slower than the 500 ms attempt timeout; the simulator still processes them late
        await traffic.InjectAsync(new { latencyMs = 1200, slowNext = 2 });
        var violation = await gateway.NewViolationAsync();

        await gateway.Store.RecordAsync(violation, None);

        await Eventually.HoldsAsync(async () => (await gateway.Outbox.ListAsync(violation.Id, None))[0].State == OutboxState.Sent, "sent despite timeouts");
        await Task.Delay(1500); // let the abandoned slow calls finish on the server
        var notice = Assert.Single(await traffic.NoticesAsync());
        Assert.Equal(violation.Id, notice.ViolationId);
        Assert.Equal(notice.CaseId, (await gateway.Store.GetAsync(violation.Id, None))!.CaseId);
    }

    [Fact]
    public async Task A_case_the_traffic_system_rejects_is_dead_lettered_with_the_reason_and_not_retried()
    {
        await using var traffic = await TrafficSystemUnderTest.StartAsync();
        await using var gateway = await GatewayUnderTest.StartAsync(traffic.BaseAddress);
        var violation = await gateway.NewViolationAsync(plate: "not a plate!", evidence: 1);

        await gateway.Store.RecordAsync(violation, None);

        await Eventually.HoldsAsync(async () => (await gateway.Outbox.ListAsync(violation.Id, None))[0].State == OutboxState.DeadLettered, "dead-lettered");
        await Task.Delay(1000); // five sweeps
        var entries = await gateway.Outbox.ListAsync(violation.Id, None);
        Assert.Equal(1, entries[0].Attempts);
        Assert.StartsWith("400 BadRequest: plate:", entries[0].LastError, StringComparison.Ordinal);
        Assert.Equal(OutboxState.DeadLettered, entries[1].State);
        Assert.Contains(await gateway.Outbox.ListDeadLettersAsync(10, None), d => d.ViolationId == violation.Id && d.Kind == OutboxKinds.Violation);
        Assert.Contains(gateway.Lifecycle.Events, e => e.Event == "dead-lettered" && e.ViolationId == violation.Id);
        Assert.Empty(await traffic.NoticesAsync());
    }

    [Fact]
    public async Task Evidence_goes_after_the_case_and_clearance_after_the_evidence_even_with_failures()
    {
        await using var traffic = await TrafficSystemUnderTest.StartAsync();
        await using var gateway = await GatewayUnderTest.StartAsync(traffic.BaseAddress);
        await traffic.InjectAsync(new { failNext = 4, status = 503 });
        var violation = await gateway.NewViolationAsync(evidence: 3);

        await gateway.Store.RecordAsync(violation, None);
        await gateway.Store.EndAsync(violation.Id, CaseStep.Depart, DateTimeOffset.UtcNow, None);

        await Eventually.HoldsAsync(async () => (await gateway.Outbox.ListAsync(violation.Id, None)).All(e => e.State == OutboxState.Sent), "all sent");
        var view = await traffic.CaseAsync(violation.Id);
        Assert.Equal(
            ["case", .. violation.Evidence.Select(e => "evidence:" + e.Sha256), "clearance:left-after-notice"],
            view!.Events);
        Assert.Equal(CaseState.Cleared, (await gateway.Store.GetAsync(violation.Id, None))!.State);
    }

    [Fact]
    public async Task A_crash_between_sending_and_recording_the_reply_does_not_text_twice()
    {
        await using var traffic = await TrafficSystemUnderTest.StartAsync();
        var directory = OneThing.Edge.TestKit.TestPaths.NewTempDirectory("onething-crash");
        Guid violationId;
        await using (var crashing = await GatewayUnderTest.StartAsync(traffic.BaseAddress, directory,
            services => services.Decorate<IOutbox>(inner => new CrashBeforeRecordingOutbox(inner))))
        {
            var violation = await crashing.NewViolationAsync();
            violationId = violation.Id;
            await crashing.Store.RecordAsync(violation, None);
            await Eventually.HoldsAsync(async () => (await traffic.NoticesAsync()).Count == 1, "the simulator texted");
            Assert.Equal(OutboxState.InFlight, (await crashing.Outbox.ListAsync(violationId, None))[0].State);
        }

        await using var restarted = await GatewayUnderTest.StartAsync(traffic.BaseAddress, directory);

        await Eventually.HoldsAsync(async () => (await restarted.Outbox.ListAsync(violationId, None))[0].State == OutboxState.Sent, "sent after restart");
        var notice = Assert.Single(await traffic.NoticesAsync());
        Assert.Equal(notice.CaseId, (await restarted.Store.GetAsync(violationId, None))!.CaseId);
        Assert.NotNull(await traffic.CaseAsync(violationId));
    }

    /// <summary>An outbox whose process "dies" after the call went out and before the reply is written.</summary>
    private sealed class CrashBeforeRecordingOutbox(IOutbox inner) : IOutbox
    {
        public Task<IReadOnlyList<OutboxMessage>> ClaimDueAsync(int max, CancellationToken cancellationToken) => inner.ClaimDueAsync(max, cancellationToken);
        public Task<int> RecoverInFlightAsync(CancellationToken cancellationToken) => inner.RecoverInFlightAsync(cancellationToken);
        public Task<int> ExpediteFailedAsync(CancellationToken cancellationToken) => inner.ExpediteFailedAsync(cancellationToken);
        public Task MarkSentAsync(long messageId, CaseReceipt? receipt, CancellationToken cancellationToken) => Task.Delay(Timeout.Infinite, cancellationToken);
        public Task MarkSentAsync(IReadOnlyList<Delivery> deliveries, CancellationToken cancellationToken) => Task.Delay(Timeout.Infinite, cancellationToken);
        public Task<OutboxState> MarkFailedAsync(long messageId, string error, CancellationToken cancellationToken) => inner.MarkFailedAsync(messageId, error, cancellationToken);
        public Task DeadLetterAsync(long messageId, string reason, CancellationToken cancellationToken) => inner.DeadLetterAsync(messageId, reason, cancellationToken);
        public Task<IReadOnlyList<OutboxEntry>> ListAsync(Guid violationId, CancellationToken cancellationToken) => inner.ListAsync(violationId, cancellationToken);
        public Task<IReadOnlyList<OutboxEntry>> ListDeadLettersAsync(int max, CancellationToken cancellationToken) => inner.ListDeadLettersAsync(max, cancellationToken);
    }
}

internal static class ServiceCollectionDecoration
{
    /// <summary>Wraps the registered singleton of <typeparamref name="T"/>.</summary>
    public static IServiceCollection Decorate<T>(this IServiceCollection services, Func<T, T> wrap) where T : class
    {
        var registered = services.Last(d => d.ServiceType == typeof(T));
        services.Replace(ServiceDescriptor.Singleton<T>(provider => wrap((T)(registered.ImplementationFactory?.Invoke(provider)
            ?? ActivatorUtilities.CreateInstance(provider, registered.ImplementationType!)))));
        return services;
    }
}
