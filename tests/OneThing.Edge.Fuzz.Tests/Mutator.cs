using System.Text;

namespace OneThing.Edge.Fuzz.Tests;

/// <summary>
/// Deterministic byte- and string-level mutations in the style of AFL/libFuzzer havoc stages: bit flips, interesting
/// values, truncation, insertion, duplication and splicing, plus wholly random inputs. Same seed, same inputs.
/// </summary>
public sealed class Mutator(int seed)
{
    private static readonly byte[] InterestingBytes = [0x00, 0x01, 0x7F, 0x80, 0xFF, (byte)'"', (byte)'{', (byte)'[', (byte)'\\', (byte)'/', (byte)'+'];

    public Random Random { get; } = new(seed);

    public byte[] RandomBytes(int maxLength)
    {
        var bytes = new byte[Random.Next(maxLength + 1)];
        Random.NextBytes(bytes);
        return bytes;
    }

    /// <summary>One to four havoc steps on a copy of <paramref name="input"/>.</summary>
    public byte[] Mutate(byte[] input)
    {
        var data = new List<byte>(input);
        var steps = Random.Next(1, 5);
        for (var s = 0; s < steps; s++)
        {
            switch (Random.Next(8))
            {
                case 0 when data.Count > 0: // bit flip
                    var i = Random.Next(data.Count);
                    data[i] ^= (byte)(1 << Random.Next(8));
                    break;
                case 1 when data.Count > 0: // interesting byte
                    data[Random.Next(data.Count)] = InterestingBytes[Random.Next(InterestingBytes.Length)];
                    break;
                case 2: // truncation
                    var cut = Random.Next(data.Count + 1);
                    data.RemoveRange(cut, data.Count - cut);
                    break;
                case 3: // insert random bytes
                    data.InsertRange(Random.Next(data.Count + 1), RandomBytes(16));
                    break;
                case 4 when data.Count > 1: // delete a block
                    var from = Random.Next(data.Count);
                    data.RemoveRange(from, Math.Min(data.Count - from, Random.Next(1, 64)));
                    break;
                case 5 when data.Count > 1: // duplicate a block
                    var start = Random.Next(data.Count);
                    var block = data.GetRange(start, Math.Min(data.Count - start, Random.Next(1, 64)));
                    data.InsertRange(Random.Next(data.Count + 1), block);
                    break;
                case 6 when data.Count > 0: // random byte run
                    var at = Random.Next(data.Count);
                    for (var k = at; k < Math.Min(data.Count, at + Random.Next(1, 32)); k++)
                    {
                        data[k] = (byte)Random.Next(256);
                    }
                    break;
                default: // swap two bytes
                    if (data.Count > 1)
                    {
                        var (a, b) = (Random.Next(data.Count), Random.Next(data.Count));
                        (data[a], data[b]) = (data[b], data[a]);
                    }
                    break;
            }
        }
        return [.. data];
    }

    public string MutateString(string input) => Encoding.UTF8.GetString(Mutate(Encoding.UTF8.GetBytes(input)));

    /// <summary>Text that stresses parsers: control characters, surrogates, RTL marks, CJK, emoji, huge numbers.</summary>
    public string NastyString()
    {
        string[] pieces =
        [
            "", " ", "\0", "\u202E", "\uD800", "\uDFFF", "😀", "浙A12345", "ｆｕｌｌ", "\t\r\n", "%00", "../", "$share/", "#", "+",
            "9".PadLeft(400, '9'), "-1e308", "1e309", "NaN", "Infinity", "null", "true", "0x1F", "2026-02-30T25:61:61Z",
            "9999-12-31T23:59:59.9999999+14:00", "0001-01-01T00:00:00Z", new string('a', 300),
        ];
        var builder = new StringBuilder();
        for (var i = Random.Next(1, 4); i > 0; i--)
        {
            builder.Append(pieces[Random.Next(pieces.Length)]);
        }
        return builder.ToString();
    }

    /// <summary>A GUID drawn from the seed (never Guid.NewGuid, so a run replays).</summary>
    public Guid Guid()
    {
        var bytes = new byte[16];
        Random.NextBytes(bytes);
        return new Guid(bytes);
    }

    public T Pick<T>(IReadOnlyList<T> items) => items[Random.Next(items.Count)];
}
