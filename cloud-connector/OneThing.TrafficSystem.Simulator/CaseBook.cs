using System.Globalization;

namespace OneThing.TrafficSystem.Simulator;

/// <summary>
/// The traffic system's cases, keyed by the gateway's violation id (the idempotency key): the first intake opens a
/// case and texts the owner, every repeat gets the same case back and texts nobody.
/// </summary>
public sealed class CaseBook(OwnerRegistry owners, NoticeSink sms, TimeProvider time)
{
    private readonly Dictionary<Guid, CaseRecord> _cases = [];
    private readonly Lock _lock = new();
    private int _sequence;

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _cases.Count;
            }
        }
    }

    /// <summary>Opens the case or returns the existing one; <c>Created</c> is false for a repeat.</summary>
    public (CaseReceiptView Receipt, bool Created) Open(ViolationIntake intake)
    {
        var violationId = intake.ViolationId!.Value;
        Notice notice;
        CaseRecord record;
        lock (_lock)
        {
            if (_cases.TryGetValue(violationId, out var existing))
            {
                return (existing.Receipt, false);
            }
            var now = time.GetUtcNow();
            var caseId = string.Create(CultureInfo.InvariantCulture, $"TS-{now:yyyyMMdd}-{++_sequence:D6}");
            var owner = owners.Find(intake.Plate);
            notice = owner is null
                ? new Notice(violationId, caseId, intake.Plate, null, "no-owner", "", now)
                : new Notice(violationId, caseId, intake.Plate, PhoneMask.Mask(owner.Phone), "sent", NoticeText(owner, intake, caseId), now);
            var receipt = new CaseReceiptView(caseId, new NoticeView(notice.Status, owner is null ? null : now));
            record = new CaseRecord(intake, receipt);
            record.Events.Add("case");
            _cases.Add(violationId, record);
        }
        // Outside the lock: the SMS gateway is slow in real life, intake of other cases need not wait for it.
        sms.Send(notice);
        return (record.Receipt, true);
    }

    /// <summary>Accepts an evidence file of a known case; false if the case does not exist.</summary>
    public bool AddEvidence(Guid violationId, string sha256)
    {
        lock (_lock)
        {
            if (!_cases.TryGetValue(violationId, out var record))
            {
                return false;
            }
            if (!record.Uploaded.Contains(sha256))
            {
                record.Uploaded.Add(sha256);
                record.Events.Add("evidence:" + sha256);
            }
            return true;
        }
    }

    /// <summary>
    /// Records how the case ended on site. The same clearance again is a <see cref="ClearanceResult.Repeat"/> and
    /// changes nothing; a different one for a cleared case is a <see cref="ClearanceResult.Conflict"/>.
    /// </summary>
    public ClearanceResult Clear(Guid violationId, ClearanceReport clearance)
    {
        lock (_lock)
        {
            if (!_cases.TryGetValue(violationId, out var record))
            {
                return ClearanceResult.NoCase;
            }
            if (record.Clearance is not null)
            {
                return record.Clearance == clearance ? ClearanceResult.Repeat : ClearanceResult.Conflict;
            }
            record.Clearance = clearance;
            record.Events.Add("clearance:" + clearance.Outcome);
            return ClearanceResult.Recorded;
        }
    }

    public CaseView? Find(Guid violationId)
    {
        lock (_lock)
        {
            if (!_cases.TryGetValue(violationId, out var r))
            {
                return null;
            }
            return new CaseView(
                violationId, r.Receipt.CaseId, r.Intake.Plate, r.Intake.LaneId!, r.Receipt.Notice,
                [.. (r.Intake.Evidence ?? []).Select(e => e.Sha256!)], [.. r.Uploaded], r.Clearance, [.. r.Events]);
        }
    }

    private static string NoticeText(Owner owner, ViolationIntake intake, string caseId) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{owner.Name}您好：您的车辆{intake.Plate}于{intake.ConfirmedAt!.Value.ToOffset(TimeSpan.FromHours(8)):yyyy-MM-dd HH:mm}占用消防通道（{intake.SiteId} {intake.LaneId}），请立即驶离。案件号{caseId}。");

    private sealed class CaseRecord(ViolationIntake intake, CaseReceiptView receipt)
    {
        public ViolationIntake Intake { get; } = intake;
        public CaseReceiptView Receipt { get; } = receipt;
        public List<string> Uploaded { get; } = [];
        public List<string> Events { get; } = [];
        public ClearanceReport? Clearance { get; set; }
    }
}

public enum ClearanceResult { Recorded, Repeat, Conflict, NoCase }
