using System.CommandLine;
using OneThing.Edge.Domain.Audit;
using OneThing.Edge.Storage;
using OneThing.Edge.Storage.Audit;

namespace OneThing.Edge.Host.Cli;

/// <summary>`onething-edge export-case ID`: one zip with the case's evidence, audit entries and anchors (recorded as an extraction).</summary>
public static class ExportCaseVerb
{
    public static Command Build()
    {
        var caseId = new Argument<Guid>("case") { Description = "The case (violation) id" };
        var data = new Option<string>("--data") { Description = "The gateway's data directory (OneThing:DataDirectory)", DefaultValueFactory = _ => "data" };
        var output = new Option<string?>("--out") { Description = "Where to write the zip (default: case-ID.zip in the current folder)" };
        var command = new Command("export-case", "Export one case as a zip any machine can check with verify-audit --bundle; the export is recorded in the audit log.")
        {
            caseId, data, output,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var id = parse.GetValue(caseId);
            var directory = Path.GetFullPath(parse.GetValue(data)!);
            var database = Path.Combine(directory, "edge.db");
            if (!File.Exists(database))
            {
                await Console.Error.WriteLineAsync($"No gateway database at {database} (--data names the data directory).");
                return 2;
            }
            var path = Path.GetFullPath(parse.GetValue(output) ?? $"case-{id}.zip");
            var sqlite = new SqliteDatabase(database);
            await sqlite.MigrateAsync(cancellationToken); // a data directory from an older gateway lacks the anchors table
            var audit = new AuditLog(sqlite, TimeProvider.System);
            var export = new CaseExport(audit, new AuditAnchors(sqlite, TimeProvider.System), new FileStore(Path.Combine(directory, "files")));
            var partial = path + ".partial";
            try
            {
                await using (var zip = File.Create(partial))
                {
                    await export.WriteAsync(id, $"cli:{Environment.UserName}", ExtractionPayload.CaseExport, zip, cancellationToken);
                }
                File.Move(partial, path, overwrite: true);
            }
            catch (KeyNotFoundException e)
            {
                File.Delete(partial);
                await Console.Error.WriteLineAsync(e.Message);
                return 2;
            }
            Console.WriteLine($"Exported case {id} to {path}; check it with: onething-edge verify-audit --bundle {path}");
            return 0;
        });
        return command;
    }
}
