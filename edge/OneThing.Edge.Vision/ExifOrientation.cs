using System.Buffers.Binary;
using OpenCvSharp;

namespace OneThing.Edge.Vision;

/// <summary>
/// The EXIF orientation tag (0x0112 in IFD0 of the APP1 "Exif" segment): phones store the sensor's pixels and say
/// in this tag how to turn them, so a photo taken upright must be turned before a plate in it can be read.
/// </summary>
public static class ExifOrientation
{
    public const int Upright = 1;

    /// <summary>The orientation in an APP1 segment's payload; 1 when it is not Exif or the tag is missing or malformed.</summary>
    public static int Read(ReadOnlySpan<byte> app1)
    {
        // "Exif\0\0", then a TIFF header: byte order, 42, offset of IFD0.
        if (app1.Length < 14 || !app1.StartsWith("Exif\0\0"u8))
        {
            return Upright;
        }
        var tiff = app1[6..];
        bool little;
        if (tiff[0] == 'I' && tiff[1] == 'I')
        {
            little = true;
        }
        else if (tiff[0] == 'M' && tiff[1] == 'M')
        {
            little = false;
        }
        else
        {
            return Upright;
        }
        var ifd = U32(tiff[4..], little);
        if (ifd > (uint)tiff.Length - 2)
        {
            return Upright;
        }
        var entries = U16(tiff[(int)ifd..], little);
        for (var n = 0; n < entries; n++)
        {
            var at = (int)ifd + 2 + (n * 12);
            if (at + 12 > tiff.Length)
            {
                return Upright;
            }
            if (U16(tiff[at..], little) == 0x0112)
            {
                var value = U16(tiff[(at + 8)..], little); // SHORT, count 1: the value sits in the entry itself
                return value is >= 1 and <= 8 ? value : Upright;
            }
        }
        return Upright;
    }

    /// <summary>The stored pixels turned as <paramref name="orientation"/> says; disposes <paramref name="stored"/> when it makes a new Mat.</summary>
    public static Mat Apply(Mat stored, int orientation)
    {
        ArgumentNullException.ThrowIfNull(stored);
        if (orientation is < 2 or > 8)
        {
            return stored;
        }
        var turned = new Mat();
        try
        {
            switch (orientation)
            {
                case 2: Cv2.Flip(stored, turned, FlipMode.Y); break;
                case 3: Cv2.Flip(stored, turned, FlipMode.XY); break;
                case 4: Cv2.Flip(stored, turned, FlipMode.X); break;
                case 5: Cv2.Transpose(stored, turned); break;
                case 6: Cv2.Rotate(stored, turned, RotateFlags.Rotate90Clockwise); break;
                case 7:
                    Cv2.Transpose(stored, turned);
                    Cv2.Flip(turned, turned, FlipMode.XY);
                    break;
                default: Cv2.Rotate(stored, turned, RotateFlags.Rotate90Counterclockwise); break;
            }
        }
        catch
        {
            turned.Dispose();
            throw;
        }
        finally
        {
            stored.Dispose();
        }
        return turned;
    }

    private static ushort U16(ReadOnlySpan<byte> s, bool little) =>
        little ? BinaryPrimitives.ReadUInt16LittleEndian(s) : BinaryPrimitives.ReadUInt16BigEndian(s);

    private static uint U32(ReadOnlySpan<byte> s, bool little) =>
        little ? BinaryPrimitives.ReadUInt32LittleEndian(s) : BinaryPrimitives.ReadUInt32BigEndian(s);
}
