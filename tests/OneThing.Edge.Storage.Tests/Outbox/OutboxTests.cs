using Xunit;
using OneThing.Edge.Domain.Cases;
using OneThing.Edge.Domain.Outbox;
using OneThing.Edge.Storage.Outbox;

namespace OneThing.Edge.Storage.Tests.Outbox;

public sealed class OutboxTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task A_recorded_violation_is_queued_as_case_then_evidence_in_order()
    {
        var f = await OutboxFixture.CreateAsync();
        var violation = OutboxFixture.NewViolation(evidence: 2);

        Assert.True(await f.Store.RecordAsync(violation, None));

        var entries = await f.Outbox.ListAsync(violation.Id, None);
        Assert.Equal([OutboxKinds.Violation, OutboxKinds.Evidence, OutboxKinds.Evidence], entries.Select(e => e.Kind));
        Assert.All(entries, e => Assert.Equal(OutboxState.Pending, e.State));
        var stored = await f.Store.GetAsync(violation.Id, None);
        Assert.NotNull(stored);
        Assert.Equal(CaseState.Confirmed, stored.State);
        Assert.Equal(violation.Evidence, stored.Violation.Evidence);
        Assert.Equal(violation.Plate, stored.Violation.Plate);
    }

    [Fact]
    public async Task Recording_the_same_violation_twice_queues_it_once()
    {
        var f = await OutboxFixture.CreateAsync();
        var violation = OutboxFixture.NewViolation();

        Assert.True(await f.Store.RecordAsync(violation, None));
        Assert.False(await f.Store.RecordAsync(violation, None));

        Assert.Equal(3, (await f.Outbox.ListAsync(violation.Id, None)).Count);
    }

    [Fact]
    public async Task Only_the_first_unsent_message_of_a_violation_is_due()
    {
        var f = await OutboxFixture.CreateAsync();
        var violation = OutboxFixture.NewViolation(evidence: 2);
        await f.Store.RecordAsync(violation, None);
        await f.Store.EndAsync(violation.Id, CaseStep.Depart, OutboxFixture.Start.AddMinutes(5), None);

        var order = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            var claimed = await f.Outbox.ClaimDueAsync(10, None);
            var message = Assert.Single(claimed);
            order.Add($"{message.Kind}#{message.Sequence}");
            Assert.Empty(await f.Outbox.ClaimDueAsync(10, None));
            await f.Outbox.MarkSentAsync(message.Id, null, None);
        }

        Assert.Equal(["violation#0", "evidence#1", "evidence#2", "clearance#3"], order);
        Assert.Empty(await f.Outbox.ClaimDueAsync(10, None));
    }

    [Fact]
    public async Task Clearance_payload_round_trips()
    {
        var f = await OutboxFixture.CreateAsync();
        var violation = OutboxFixture.NewViolation(evidence: 0);
        await f.Store.RecordAsync(violation, None);
        var clearance = new Clearance(OutboxFixture.Start.AddMinutes(5), ClearanceOutcomes.LeftAfterNotice);
        await f.Store.EndAsync(violation.Id, CaseStep.Depart, clearance.ClearedAt, None);
        await f.Outbox.MarkSentAsync((await f.Outbox.ClaimDueAsync(1, None))[0].Id, null, None);

        var message = Assert.Single(await f.Outbox.ClaimDueAsync(10, None));

        Assert.Equal(clearance, OutboxPayload.Deserialize<Clearance>(message.Payload));
        Assert.Equal(CaseState.Cleared, (await f.Store.GetAsync(violation.Id, None))!.State);
    }

    [Fact]
    public async Task An_in_flight_message_is_claimable_again_only_after_its_lease()
    {
        var f = await OutboxFixture.CreateAsync(new OutboxOptions { Lease = TimeSpan.FromSeconds(30) });
        var violation = OutboxFixture.NewViolation(evidence: 0);
        await f.Store.RecordAsync(violation, None);
        var first = Assert.Single(await f.Outbox.ClaimDueAsync(10, None));

        f.Time.Advance(TimeSpan.FromSeconds(29));
        Assert.Empty(await f.Outbox.ClaimDueAsync(10, None));

        f.Time.Advance(TimeSpan.FromSeconds(1));
        var again = Assert.Single(await f.Outbox.ClaimDueAsync(10, None));
        Assert.Equal(first.Id, again.Id);
        Assert.Equal(2, again.Attempts);
    }

    [Fact]
    public async Task Recovery_after_a_crash_makes_in_flight_messages_due_at_once()
    {
        var f = await OutboxFixture.CreateAsync();
        await f.Store.RecordAsync(OutboxFixture.NewViolation(evidence: 0), None);
        Assert.Single(await f.Outbox.ClaimDueAsync(10, None));

        Assert.Equal(1, await f.Outbox.RecoverInFlightAsync(None));

        Assert.Single(await f.Outbox.ClaimDueAsync(10, None));
    }

    [Fact]
    public async Task A_failure_backs_off_exponentially_with_jitter()
    {
        var f = await OutboxFixture.CreateAsync(new OutboxOptions { RetryBaseDelay = TimeSpan.FromSeconds(2), RetryMaxDelay = TimeSpan.FromSeconds(10) });
        var violation = OutboxFixture.NewViolation(evidence: 0);
        await f.Store.RecordAsync(violation, None);

        // attempt n waits between half and all of min(2 s * 2^(n-1), 10 s)
        double[] ceilings = [2, 4, 8, 10, 10];
        foreach (var ceiling in ceilings)
        {
            var message = Assert.Single(await f.Outbox.ClaimDueAsync(10, None));
            Assert.Equal(OutboxState.Failed, await f.Outbox.MarkFailedAsync(message.Id, "503 Service Unavailable", None));
            var entry = Assert.Single(await f.Outbox.ListAsync(violation.Id, None));
            var wait = entry.NextAttemptAt - f.Time.GetUtcNow();
            Assert.InRange(wait.TotalSeconds, ceiling / 2, ceiling);
            Assert.Equal("503 Service Unavailable", entry.LastError);

            f.Time.Advance(wait - TimeSpan.FromMilliseconds(1));
            Assert.Empty(await f.Outbox.ClaimDueAsync(10, None));
            f.Time.Advance(TimeSpan.FromMilliseconds(1));
        }
    }

    [Fact]
    public async Task A_message_older_than_the_maximum_age_is_dead_lettered_on_failure_with_its_followers()
    {
        var f = await OutboxFixture.CreateAsync(new OutboxOptions { MaxAge = TimeSpan.FromHours(1), RetryMaxDelay = TimeSpan.FromMinutes(10) });
        var violation = OutboxFixture.NewViolation(evidence: 1);
        await f.Store.RecordAsync(violation, None);

        var message = Assert.Single(await f.Outbox.ClaimDueAsync(10, None));
        Assert.Equal(OutboxState.Failed, await f.Outbox.MarkFailedAsync(message.Id, "connection refused", None));
        f.Time.Advance(TimeSpan.FromHours(1));
        message = Assert.Single(await f.Outbox.ClaimDueAsync(10, None));
        Assert.Equal(OutboxState.DeadLettered, await f.Outbox.MarkFailedAsync(message.Id, "connection refused", None));

        var entries = await f.Outbox.ListAsync(violation.Id, None);
        Assert.All(entries, e => Assert.Equal(OutboxState.DeadLettered, e.State));
        Assert.Contains("connection refused", entries[0].LastError, StringComparison.Ordinal);
        Assert.Contains("blocked", entries[1].LastError, StringComparison.Ordinal);
        f.Time.Advance(TimeSpan.FromDays(1));
        Assert.Empty(await f.Outbox.ClaimDueAsync(10, None));
    }

    [Fact]
    public async Task A_dead_letter_keeps_its_reason_and_blocks_a_later_clearance()
    {
        var f = await OutboxFixture.CreateAsync();
        var violation = OutboxFixture.NewViolation(evidence: 0);
        await f.Store.RecordAsync(violation, None);
        var message = Assert.Single(await f.Outbox.ClaimDueAsync(10, None));

        await f.Outbox.DeadLetterAsync(message.Id, "400: plate: malformed", None);
        await f.Store.StepAsync(violation.Id, CaseStep.Escalate, "no notice", None);
        await f.Store.EndAsync(violation.Id, CaseStep.Depart, OutboxFixture.Start, None);

        var dead = await f.Outbox.ListDeadLettersAsync(10, None);
        Assert.Equal(2, dead.Count);
        Assert.Contains(dead, d => d.Kind == OutboxKinds.Violation && d.LastError == "400: plate: malformed");
        Assert.Contains(dead, d => d.Kind == OutboxKinds.Clearance && d.LastError!.StartsWith("blocked", StringComparison.Ordinal));
        Assert.Empty(await f.Outbox.ClaimDueAsync(10, None));
    }

    [Fact]
    public async Task Sending_a_case_stores_the_case_id_and_notice()
    {
        var f = await OutboxFixture.CreateAsync();
        var violation = OutboxFixture.NewViolation(evidence: 0);
        await f.Store.RecordAsync(violation, None);
        var message = Assert.Single(await f.Outbox.ClaimDueAsync(10, None));

        var sentAt = OutboxFixture.Start.AddSeconds(1);
        await f.Outbox.MarkSentAsync(message.Id, new CaseReceipt("C-42", NoticeStatuses.Sent, sentAt), None);

        var stored = await f.Store.GetAsync(violation.Id, None);
        Assert.Equal(CaseState.Notified, stored!.State);
        Assert.Equal("C-42", stored.CaseId);
        Assert.Equal(NoticeStatuses.Sent, stored.NoticeStatus);
        Assert.Equal(sentAt, stored.NoticeSentAt);
        Assert.Equal(OutboxState.Sent, (await f.Outbox.ListAsync(violation.Id, None))[0].State);
    }

    [Fact]
    public async Task A_case_without_an_owner_is_no_owner_not_notified()
    {
        var f = await OutboxFixture.CreateAsync();
        var violation = OutboxFixture.NewViolation(evidence: 0);
        await f.Store.RecordAsync(violation, None);
        var message = Assert.Single(await f.Outbox.ClaimDueAsync(10, None));

        await f.Outbox.MarkSentAsync(message.Id, new CaseReceipt("C-43", NoticeStatuses.NoOwner, null), None);

        Assert.Equal(CaseState.NoOwner, (await f.Store.GetAsync(violation.Id, None))!.State);
    }
}
