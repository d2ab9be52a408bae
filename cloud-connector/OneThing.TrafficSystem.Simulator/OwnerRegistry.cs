using System.Collections.Frozen;

namespace OneThing.TrafficSystem.Simulator;

public sealed record Owner(string Plate, string Name, string Phone);

/// <summary>Plate -> registered owner, loaded from a CSV with the header <c>plate,owner,phone</c>.</summary>
public sealed class OwnerRegistry
{
    private readonly FrozenDictionary<string, Owner> _owners;

    public OwnerRegistry(IEnumerable<Owner> owners) =>
        _owners = owners.ToFrozenDictionary(o => o.Plate, StringComparer.OrdinalIgnoreCase);

    public int Count => _owners.Count;

    public Owner? Find(string? plate) => plate is not null && _owners.TryGetValue(plate.Trim(), out var owner) ? owner : null;

    public static OwnerRegistry Load(string path)
    {
        var owners = new List<Owner>();
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (lineNumber == 1 || string.IsNullOrWhiteSpace(line))
            {
                continue;
            }
            var fields = line.Split(',');
            if (fields.Length != 3)
            {
                throw new FormatException($"{path}:{lineNumber}: expected plate,owner,phone");
            }
            owners.Add(new Owner(fields[0].Trim(), fields[1].Trim(), fields[2].Trim()));
        }
        return new OwnerRegistry(owners);
    }
}
