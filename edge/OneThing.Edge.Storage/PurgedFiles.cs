using Microsoft.Data.Sqlite;

namespace OneThing.Edge.Storage;

/// <summary>
/// The files of rows a retention purge removes: those nothing left refers to (asked after the rows are deleted, in the
/// purge's transaction, so the audit entry can list them), and their deletion after the commit.
/// </summary>
internal static class PurgedFiles
{
    public static async Task<List<string>> UnreferencedAsync(SqliteConnection connection, SqliteTransaction transaction, IEnumerable<string> candidates, CancellationToken cancellationToken)
    {
        var unreferenced = new List<string>();
        foreach (var sha in candidates.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            await using var referenced = connection.CreateCommand();
            referenced.Transaction = transaction;
            referenced.CommandText = """
                SELECT EXISTS (SELECT 1 FROM violation_evidence WHERE sha256 = $sha)
                    OR EXISTS (SELECT 1 FROM violation_evidence WHERE redacted_sha256 = $sha)
                    OR EXISTS (SELECT 1 FROM violations WHERE manifest_sha256 = $sha)
                    OR EXISTS (SELECT 1 FROM pda_report_photos WHERE sha256 = $sha)
                    OR EXISTS (SELECT 1 FROM pda_rejections WHERE payload_sha256 = $sha)
                """;
            referenced.Parameters.AddWithValue("$sha", sha);
            if ((long)(await referenced.ExecuteScalarAsync(cancellationToken))! == 0)
            {
                unreferenced.Add(sha);
            }
        }
        return unreferenced;
    }

    /// <summary>
    /// Deletes the files listed by a committed purge's audit entry; returns how many were there. After the commit: a
    /// crash in between leaves listed files behind, never a file gone unlisted.
    /// </summary>
    public static int Delete(FileStore files, IEnumerable<string> shas)
    {
        var deleted = 0;
        foreach (var sha in shas.Where(files.Exists))
        {
            File.Delete(files.PathOf(sha));
            deleted++;
        }
        return deleted;
    }
}
