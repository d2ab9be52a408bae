namespace OneThing.Edge.TestKit;

/// <summary>JPEGs as phones write them, made from ordinary ones.</summary>
public static class PhonePhotos
{
    /// <summary>A minimal APP1 Exif segment (big-endian TIFF, IFD0 with the orientation tag only) right after SOI.</summary>
    public static byte[] WithOrientation(byte[] jpeg, int orientation)
    {
        byte[] tiff =
        [
            (byte)'M', (byte)'M', 0x00, 0x2A, 0x00, 0x00, 0x00, 0x08, // byte order, 42, IFD0 at 8
            0x00, 0x01, // one entry
            0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, (byte)orientation, 0x00, 0x00, // 0x0112 SHORT x1
            0x00, 0x00, 0x00, 0x00, // no next IFD
        ];
        var length = 2 + 6 + tiff.Length;
        return [0xFF, 0xD8, 0xFF, 0xE1, (byte)(length >> 8), (byte)length, .. "Exif\0\0"u8, .. tiff, .. jpeg.AsSpan(2)];
    }
}
