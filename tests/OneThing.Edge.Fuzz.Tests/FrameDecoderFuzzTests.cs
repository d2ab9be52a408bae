using OneThing.Edge.Vision;
using OpenCvSharp;
using Xunit;
using Xunit.Abstractions;

namespace OneThing.Edge.Fuzz.Tests;

/// <summary>
/// The frame decoder on mutated JPEG and PNG scenes (10,000 inputs; native decoding is the slow part, ~25 s on
/// the shared 2-core machine). Samples are scaled to 320x180 so the run stays within CI budget; the header checks and libjpeg/libpng paths are the same.
/// </summary>
public sealed class FrameDecoderFuzzTests(ITestOutputHelper output)
{
    private const int Inputs = 10_000;

    private static byte[] Encode(string scene, string extension)
    {
        using var full = Cv2.ImRead(TestKit.TestPaths.Sample("scenes", scene));
        using var small = full.Resize(new Size(320, 180));
        return small.ImEncode(extension);
    }

    [Fact]
    public async Task Every_mutated_image_decodes_or_is_rejected_with_a_code()
    {
        byte[][] seeds = [Encode("compound_4cars_xue1.jpg", ".jpg"), Encode("sidewalk_red_car_single_blue.png", ".png"), Encode("street_kiven.jpg", ".jpg")];
        var decoder = new FrameDecoder(new FrameLimits { MaxBytes = 256 * 1024, MaxSide = 4096, MaxPixels = 4_000_000 });
        string[] codes = [FrameDecodeException.Empty, FrameDecodeException.NotAnImage, FrameDecodeException.Truncated, FrameDecodeException.Corrupt, FrameDecodeException.TooLarge, FrameDecodeException.DimensionsTooLarge];
        var seed = FuzzSeed.For(8_004, output);
        var mutator = new Mutator(seed);
        var tally = new Tally("Frame decoder", seed, output);

        await tally.RunAsync(Inputs, i =>
        {
            var data = i % 10 == 9 ? mutator.RandomBytes(2048) : mutator.Mutate(mutator.Pick(seeds));
            try
            {
                using var image = decoder.Decode(data);
                Assert.False(image.Empty());
                return "decoded";
            }
            catch (FrameDecodeException e) when (codes.Contains(e.Code))
            {
                return e.Code;
            }
        });

        Assert.True(tally.Outcomes.GetValueOrDefault("decoded") > 0, "no input decoded" + tally.Replay);
        Assert.True(tally.Outcomes.Count >= 3, "fewer than 3 outcomes: " + string.Join(", ", tally.Outcomes.Keys) + tally.Replay);
    }
}
