namespace OneThing.Edge.Domain;

/// <summary>
/// The disk holding the gateway's data is full. Nothing of the failed write is kept (files are removed, the SQLite
/// transaction rolled back), and storing works again as soon as space is freed: callers hold or redeliver their work.
/// </summary>
public sealed class StorageFullException(string location, Exception inner)
    : IOException($"no space left on the disk holding {location}; nothing was stored. Free space there: storing resumes without a restart", inner)
{
    /// <summary>Stable code for MQTT reason strings, counters and logs.</summary>
    public const string Code = "storage-full";

    public string Location { get; } = location;
}
