using System.CommandLine;
using System.Globalization;
using OneThing.Edge.Domain.Audit;
using OneThing.Edge.Storage;
using OneThing.Edge.Storage.Audit;

namespace OneThing.Edge.Host.Cli;

/// <summary>`onething-edge verify-audit`: walks the hash-chained audit log and every evidence file it names.</summary>
public static class VerifyAuditVerb
{
    /// <summary>Exit code when the chain or an evidence file was edited, removed or reordered.</summary>
    public const int Tampered = 1;

    public static Command Build()
    {
        var data = new Option<string>("--data") { Description = "The gateway's data directory (OneThing:DataDirectory)", DefaultValueFactory = _ => "data" };
        var head = new Option<string?>("--head") { Description = "A head published earlier, as SEQ:HASH; entries cut off the end are then detected too" };
        var command = new Command("verify-audit", "Verify the audit log: reports the first entry or evidence file that was edited, removed or reordered, and exits 1.") { data, head };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var directory = Path.GetFullPath(parse.GetValue(data)!);
            var database = Path.Combine(directory, "edge.db");
            if (!File.Exists(database))
            {
                await Console.Error.WriteLineAsync($"No gateway database at {database} (--data names the data directory).");
                return 2;
            }
            AuditHead? known = null;
            if (parse.GetValue(head) is { } text)
            {
                var parts = text.Split(':');
                if (parts.Length != 2 || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var seq))
                {
                    await Console.Error.WriteLineAsync("--head must be SEQ:HASH");
                    return 2;
                }
                known = new AuditHead(seq, parts[1]);
            }
            var log = new AuditLog(new SqliteDatabase(database), TimeProvider.System);
            var result = await log.VerifyAsync(new FileStore(Path.Combine(directory, "files")), cancellationToken, known);
            if (result.FirstFailure is { } failure)
            {
                Console.WriteLine($"TAMPERED: entry {failure.Sequence}: {failure.Reason}: {failure.Detail} ({result.EntriesChecked} entries intact before it)");
                return Tampered;
            }
            var current = await log.HeadAsync(cancellationToken);
            Console.WriteLine($"OK: {result.EntriesChecked} entries and their evidence files verified; head {current?.Sequence}:{current?.EntryHash}");
            return 0;
        });
        return command;
    }
}
