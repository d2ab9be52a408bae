using System.Text.Json;
using OneThing.Edge.Domain.Cases;
using OneThing.Edge.Domain.Evidence;
using OneThing.Edge.Domain.Plates;
using OneThing.Edge.Domain.Violations;
using OneThing.Edge.Host.Cases;
using OneThing.Edge.Host.Tests.Security;
using OneThing.Edge.Messaging;
using OneThing.Edge.Messaging.Contracts;
using OneThing.Edge.Storage;
using OneThing.Edge.Storage.Violations;
using OneThing.Edge.TestKit;
using Xunit;

namespace OneThing.Edge.Host.Tests;

/// <summary>
/// Answers to escalation tasks (`taskId: task-{violationId}`) on the real gateway: the embedded broker with device
/// logins, SQLite, the case service. The task goes to pda-1 only; pda-2 is an officer's PDA too.
/// </summary>
public sealed class TaskAnswerTests : IAsyncLifetime
{
    private const string Plate = "皖A195K9";
    private readonly GatewaySettings _settings = new GatewaySettings().WithDevices();
    private GatewayHarness _gateway = null!;

    public async Task InitializeAsync()
    {
        _settings["OneThing:Clearance:OfficerDevices:0"] = "pda-1";
        _gateway = await GatewayHarness.StartAsync(_settings);
    }

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    private TopicContract Topics => _settings.Topics;

    /// <summary>A camera case of <see cref="Plate"/>, escalated: its task is on pda-1's tasks topic.</summary>
    private async Task<Guid> EscalatedCaseAsync(TestMqttClient pda1)
    {
        var now = DateTimeOffset.UtcNow;
        var violation = new Violation(Guid.NewGuid(), Topics.SiteId, "lane-a", ViolationSource.Camera, "cam-1", null, null, Plate, 0.93, now.AddMinutes(-20), now.AddMinutes(-16), []);
        var cases = _gateway.Get<CaseService>();
        Assert.True(await cases.ConfirmAsync(violation, new EvidenceManifest(violation.Id, []), CancellationToken.None));
        await cases.EscalateAsync(violation.Id, "still parked after the notice", now, CancellationToken.None);
        await pda1.WaitForJsonAsync(Topics.Tasks("pda-1"), t => t.GetProperty("violationId").GetGuid() == violation.Id);
        return violation.Id;
    }

    private static async Task<TestMqttClient> PdaAsync(GatewayHarness gateway, string device)
    {
        var pda = await DeviceLogins.LoginAsync(gateway.Settings.MqttPort, device);
        await pda.SubscribeAsync(gateway.Settings.Topics.Receipts(device));
        await pda.SubscribeAsync(gateway.Settings.Topics.Tasks(device));
        return pda;
    }

    /// <summary>Sends a report answering the case's task and returns its receipt.</summary>
    private static async Task<JsonElement> AnswerAsync(GatewayHarness gateway, TestMqttClient pda, string device, Guid violationId, string plate = Plate)
    {
        var reportId = Guid.NewGuid().ToString();
        var puback = await pda.PublishAsync(gateway.Settings.Topics.Reports(device), Reports.Json(reportId, plate, taskId: OfficerTask.IdOf(violationId)));
        Assert.True(puback.IsSuccess, puback.ReasonCode.ToString());
        return await pda.WaitForJsonAsync(gateway.Settings.Topics.Receipts(device), r => r.GetProperty("reportId").GetString() == reportId);
    }

    private async Task<CaseState> StateAsync(Guid id) => (await _gateway.Get<ViolationStore>().GetAsync(id, CancellationToken.None))!.State;

    private static void AssertNotYourTask(JsonElement receipt)
    {
        Assert.Equal("rejected", receipt.GetProperty("status").GetString());
        Assert.Equal("not-your-task", receipt.GetProperty("code").GetString());
        Assert.DoesNotContain(Plate, receipt.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_task_answer_is_accepted_only_from_a_device_it_was_sent_to_for_an_escalated_case_with_its_plate()
    {
        await using var pda1 = await PdaAsync(_gateway, "pda-1");
        await using var pda2 = await PdaAsync(_gateway, "pda-2");
        var id = await EscalatedCaseAsync(pda1);

        // pda-2 never got the task; pda-1 names another car; a task id that names no case of this gateway.
        AssertNotYourTask(await AnswerAsync(_gateway, pda2, "pda-2", id));
        var otherCar = await AnswerAsync(_gateway, pda1, "pda-1", id, plate: "苏ED51712");
        AssertNotYourTask(otherCar);
        // pda-1 holds the task: told which plate it expects, masked as in the logs the reason also goes to.
        Assert.Contains($"{PlateMask.Mask("苏ED51712")} is not task {OfficerTask.IdOf(id)}'s {PlateMask.Mask(Plate)}", otherCar.GetProperty("reason").GetString(), StringComparison.Ordinal);
        AssertNotYourTask(await AnswerAsync(_gateway, pda1, "pda-1", Guid.NewGuid()));
        Assert.Equal(CaseState.Escalated, await StateAsync(id));

        var accepted = await AnswerAsync(_gateway, pda1, "pda-1", id);
        Assert.Equal("accepted", accepted.GetProperty("status").GetString());
        var answerId = accepted.GetProperty("reportId").GetString()!;
        await Eventually.ReturnsAsync(() => StateAsync(id), s => s == CaseState.Ticketed, what: "case ticketed by pda-1's answer");

        // The case is ticketed: a second answer has no open task; the first one sent again is still a duplicate.
        AssertNotYourTask(await AnswerAsync(_gateway, pda1, "pda-1", id));
        await pda1.PublishAsync(Topics.Reports("pda-1"), Reports.Json(answerId, taskId: OfficerTask.IdOf(id)));
        await pda1.WaitForJsonAsync(Topics.Receipts("pda-1"), r => r.GetProperty("reportId").GetString() == answerId && r.GetProperty("status").GetString() == "duplicate");
        var database = _gateway.Get<SqliteDatabase>();
        Assert.Equal(4, await database.CountAsync("pda_rejections"));
        Assert.Equal(1, await database.CountAsync("pda_reports"));
    }

    [Fact]
    public async Task Who_a_task_went_to_is_remembered_across_a_restart()
    {
        Guid id;
        await using (var pda1 = await PdaAsync(_gateway, "pda-1"))
        {
            id = await EscalatedCaseAsync(pda1);
        }
        await _gateway.DisposeAsync();
        // After the restart the escalated case is not sent again: only the stored recipients say pda-1 may answer.
        _gateway = await GatewayHarness.StartAsync(_settings);
        await using var pda2 = await PdaAsync(_gateway, "pda-2");
        await using var pda1Again = await PdaAsync(_gateway, "pda-1");

        AssertNotYourTask(await AnswerAsync(_gateway, pda2, "pda-2", id));
        Assert.Equal("accepted", (await AnswerAsync(_gateway, pda1Again, "pda-1", id)).GetProperty("status").GetString());
        await Eventually.ReturnsAsync(() => StateAsync(id), s => s == CaseState.Ticketed, what: "case ticketed after the restart");
    }
}
