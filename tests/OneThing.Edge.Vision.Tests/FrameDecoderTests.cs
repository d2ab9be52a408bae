using System.Buffers.Binary;
using OneThing.Edge.TestKit;
using OpenCvSharp;

namespace OneThing.Edge.Vision.Tests;

public sealed class FrameDecoderTests
{
    private readonly FrameDecoder _decoder = new(new FrameLimits());

    private static byte[] Jpeg(int width = 64, int height = 48)
    {
        using var image = new Mat(height, width, MatType.CV_8UC3, new Scalar(30, 120, 200));
        Cv2.Circle(image, new Point(width / 2, height / 2), Math.Min(width, height) / 3, Scalar.White, -1);
        Cv2.ImEncode(".jpg", image, out var bytes);
        return bytes;
    }

    private static string CodeOf(Action decode) => Assert.Throws<FrameDecodeException>(decode).Code;

    [Fact]
    public void A_real_jpeg_and_png_decode_to_bgr_of_their_size()
    {
        using var jpeg = _decoder.Decode(Jpeg(64, 48));
        Assert.Equal((64, 48, MatType.CV_8UC3), (jpeg.Width, jpeg.Height, jpeg.Type()));
        using var png = _decoder.Decode(File.ReadAllBytes(TestPaths.Sample("scenes", "dealer_lot_bmw_quicker_180919.png")));
        Assert.Equal((1029, 651), (png.Width, png.Height));
    }

    [Fact]
    public void A_jpeg_padded_with_zeros_after_its_end_marker_is_accepted()
    {
        using var mat = _decoder.Decode([.. Jpeg(), 0, 0, 0, 0]);
        Assert.Equal(64, mat.Width);
    }

    [Fact]
    public void Empty_data_is_empty() => Assert.Equal("empty", CodeOf(() => _decoder.Decode([])));

    [Fact]
    public void Random_bytes_are_not_an_image()
    {
        var bytes = new byte[4096];
        new Random(42).NextBytes(bytes);
        bytes[0] = 0x42; // make sure the seed did not produce a JPEG/PNG signature
        Assert.Equal("not-an-image", CodeOf(() => _decoder.Decode(bytes)));
        Assert.Equal("not-an-image", CodeOf(() => _decoder.Decode("GIF89a........"u8.ToArray())));
    }

    [Fact]
    public void A_jpeg_cut_in_half_is_truncated()
    {
        var jpeg = Jpeg(640, 480);
        Assert.Equal("truncated", CodeOf(() => _decoder.Decode(jpeg.AsSpan(0, jpeg.Length / 2))));
        Assert.Equal("truncated", CodeOf(() => _decoder.Decode(jpeg.AsSpan(0, 12))));
    }

    [Fact]
    public void A_png_cut_short_is_truncated()
    {
        var png = File.ReadAllBytes(TestPaths.Sample("scenes", "dealer_lot_bmw_quicker_180919.png"));
        Assert.Equal("truncated", CodeOf(() => _decoder.Decode(png.AsSpan(0, png.Length - 100))));
        Assert.Equal("truncated", CodeOf(() => _decoder.Decode(png.AsSpan(0, 20))));
    }

    [Fact]
    public void A_png_claiming_100000_px_a_side_is_refused_before_decoding()
    {
        // A complete little PNG whose header claims 100000 x 100000 (a decompression bomb's shape).
        var png = new List<byte>([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        void Chunk(string type, byte[] payload)
        {
            var len = new byte[4];
            BinaryPrimitives.WriteInt32BigEndian(len, payload.Length);
            png.AddRange(len);
            png.AddRange(System.Text.Encoding.ASCII.GetBytes(type));
            png.AddRange(payload);
            png.AddRange(new byte[4]); // CRC: never reached
        }
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, 100_000);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), 100_000);
        ihdr[8] = 8;
        ihdr[9] = 2;
        Chunk("IHDR", ihdr);
        Chunk("IDAT", new byte[64]);
        Chunk("IEND", []);
        var e = Assert.Throws<FrameDecodeException>(() => _decoder.Decode([.. png]));
        Assert.Equal("dimensions-too-large", e.Code);
        Assert.Contains("100000x100000", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_jpeg_wider_than_the_limit_is_refused()
    {
        var small = new FrameDecoder(new FrameLimits { MaxSide = 32 });
        Assert.Equal("dimensions-too-large", CodeOf(() => small.Decode(Jpeg(64, 16))));
    }

    [Fact]
    public void An_oversized_payload_is_too_large()
    {
        Assert.Equal("too-large", CodeOf(() => _decoder.Decode(new byte[8 * 1024 * 1024 + 1])));
        var tight = new FrameDecoder(new FrameLimits { MaxBytes = 100 });
        Assert.Equal("too-large", CodeOf(() => tight.Decode(Jpeg())));
    }

    [Fact]
    public void A_jpeg_with_a_header_but_no_decodable_data_is_corrupt()
    {
        // SOI, SOF0 64x48 with 3 components, then garbage and EOI: no tables, no scan.
        byte[] sof = [0xFF, 0xC0, 0x00, 0x11, 0x08, 0x00, 0x30, 0x00, 0x40, 0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01];
        byte[] bytes = [0xFF, 0xD8, .. sof, 0xFF, 0xFE, 0x00, 0x06, 1, 2, 3, 4, 0xFF, 0xD9];
        Assert.Equal("corrupt", CodeOf(() => _decoder.Decode(bytes)));
        Assert.Equal("corrupt", CodeOf(() => _decoder.Decode([0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x08, 1, 2, 3, 4, 5, 6, 0xFF, 0xD9])));
    }
}
