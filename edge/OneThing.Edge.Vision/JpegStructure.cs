using System.Buffers.Binary;

namespace OneThing.Edge.Vision;

/// <summary>What the marker walk of a JPEG found: frame size, where the image proper ends, EXIF orientation (1-8).</summary>
internal readonly record struct JpegLayout(int Width, int Height, int Length, int Orientation);

/// <summary>
/// Walks a JPEG's segments from the start of image to the end-of-image marker that closes its last scan. Walking
/// from the start, not searching from the end, is what tells a phone's trailer (data after EOI, which may hold
/// another JPEG and its own EOI) from a file that was cut off: a cut-off file runs out inside a scan.
/// </summary>
internal static class JpegStructure
{
    /// <param name="checkDimensions">called as soon as the frame header is read, so a bomb is refused before the scan walk.</param>
    public static JpegLayout Read(ReadOnlySpan<byte> data, Action<uint, uint> checkDimensions)
    {
        int width = 0, height = 0, orientation = 1;
        var i = 2;
        while (true)
        {
            if (i + 2 > data.Length)
            {
                throw Cut(width);
            }
            if (data[i] != 0xFF)
            {
                throw new FrameDecodeException(FrameDecodeException.Corrupt, $"JPEG marker expected at byte {i}");
            }
            var marker = data[i + 1];
            if (marker == 0xFF)
            {
                i++; // fill byte
                continue;
            }
            if (marker is 0x01 or (>= 0xD0 and <= 0xD7))
            {
                i += 2;
                continue;
            }
            if (marker is 0xD9 or 0xDA && width == 0)
            {
                throw new FrameDecodeException(FrameDecodeException.Corrupt, "JPEG has no frame header before its scan or end");
            }
            if (marker == 0xD9)
            {
                return new JpegLayout(width, height, i + 2, orientation); // anything after it is a trailer
            }
            if (i + 4 > data.Length)
            {
                throw Cut(width);
            }
            var length = BinaryPrimitives.ReadUInt16BigEndian(data.Slice(i + 2, 2));
            if (length < 2)
            {
                throw new FrameDecodeException(FrameDecodeException.Corrupt, "JPEG segment length is invalid");
            }
            var next = i + 2 + length;
            // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size.
            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC && width == 0)
            {
                if (i + 9 > data.Length)
                {
                    throw new FrameDecodeException(FrameDecodeException.Truncated, "JPEG ends inside its frame header");
                }
                height = BinaryPrimitives.ReadUInt16BigEndian(data.Slice(i + 5, 2));
                width = BinaryPrimitives.ReadUInt16BigEndian(data.Slice(i + 7, 2));
                checkDimensions((uint)width, (uint)height);
            }
            else if (marker == 0xE1 && orientation == 1)
            {
                orientation = ExifOrientation.Read(data[(i + 4)..Math.Min(next, data.Length)]);
            }
            i = marker == 0xDA ? ScanEnd(data, Math.Min(next, data.Length), width) : next;
        }
    }

    // Entropy-coded data runs until a marker: 0xFF 0x00 is a stuffed data byte, RSTn markers sit inside the scan.
    private static int ScanEnd(ReadOnlySpan<byte> data, int start, int width)
    {
        var j = start;
        while (true)
        {
            var k = data[j..].IndexOf((byte)0xFF);
            if (k < 0 || j + k + 1 >= data.Length)
            {
                throw Cut(width);
            }
            j += k;
            var next = data[j + 1];
            if (next is 0x00 or (>= 0xD0 and <= 0xD7))
            {
                j += 2;
                continue;
            }
            if (next == 0xFF)
            {
                j++; // fill bytes before a marker
                continue;
            }
            return j;
        }
    }

    // libjpeg fills a cut-off scan with grey and reports success, so running out before EOI is the only verdict.
    private static FrameDecodeException Cut(int width) => width == 0
        ? new FrameDecodeException(FrameDecodeException.Truncated, "JPEG ends before its frame header")
        : new FrameDecodeException(FrameDecodeException.Truncated, "JPEG ends before its end-of-image marker (cut off)");
}
