using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using OneThing.Edge.Domain.Violations;
using OneThing.Edge.Storage.Outbox;
using OneThing.Edge.Storage.Violations;
using OneThing.Edge.TestKit;

namespace OneThing.Edge.Storage.Tests.Outbox;

/// <summary>A migrated SQLite file in a temp folder, a fake clock, the store and the outbox over it.</summary>
internal sealed class OutboxFixture
{
    public static readonly DateTimeOffset Start = new(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);

    private OutboxFixture(string directory, SqliteDatabase database, OutboxOptions options)
    {
        Directory = directory;
        Database = database;
        Options = options;
        Files = new FileStore(Path.Combine(directory, "evidence"));
        Store = new ViolationStore(database, Time);
        Outbox = new SqliteOutbox(database, Microsoft.Extensions.Options.Options.Create(options), Time);
    }

    public string Directory { get; }
    public SqliteDatabase Database { get; }
    public OutboxOptions Options { get; }
    public FakeTimeProvider Time { get; } = new(Start);
    public FileStore Files { get; }
    public ViolationStore Store { get; }
    public SqliteOutbox Outbox { get; }

    public static async Task<OutboxFixture> CreateAsync(OutboxOptions? options = null)
    {
        var directory = TestPaths.NewTempDirectory("onething-outbox");
        var database = new SqliteDatabase(Path.Combine(directory, "edge.db"));
        await database.MigrateAsync(CancellationToken.None);
        return new OutboxFixture(directory, database, options ?? new OutboxOptions());
    }

    public static Violation NewViolation(string plate = "沪AF71017", string lane = "lane-1", int evidence = 2, DateTimeOffset? confirmedAt = null)
    {
        var confirmed = confirmedAt ?? Start;
        var items = Enumerable.Range(0, evidence)
            .Select(i => new EvidenceItem(i == 0 ? EvidenceKinds.Overview : EvidenceKinds.Confirmation, new string((char)('a' + i), 64), confirmed.AddSeconds(-10 * (evidence - i)), "image/jpeg"))
            .ToList();
        return new Violation(Guid.NewGuid(), "site-1", lane, ViolationSource.Camera, "cam-1", null, null, plate, 0.93, confirmed.AddMinutes(-3), confirmed, items);
    }
}
