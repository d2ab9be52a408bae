using System.Globalization;
using Microsoft.Extensions.Options;
using OpenCvSharp;
using SkiaSharp;

namespace OneThing.Edge.Vision;

/// <summary>Evidence settings, bound from <c>OneThing:Evidence</c>.</summary>
public sealed class EvidenceOptions
{
    public const string SectionName = "OneThing:Evidence";

    /// <summary>The Debian package that installs <see cref="DefaultFontPath"/> (WenQuanYi Zen Hei: one 17 MB file).</summary>
    public const string FontPackage = "fonts-wqy-zenhei";
    public const string DefaultFontPath = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc";

    /// <summary>TrueType/OpenType font (a .ttc's first face) with Chinese characters for the evidence captions.</summary>
    public string FontPath { get; set; } = DefaultFontPath;

    /// <summary>Local time printed on evidence, as hours from UTC (China: 8, no daylight saving).</summary>
    public double UtcOffsetHours { get; set; } = 8;

    public TimeSpan UtcOffset => TimeSpan.FromHours(UtcOffsetHours);
}

/// <summary>Checks at start that the caption font exists and draws Chinese; the message names the key and the package.</summary>
public sealed class EvidenceOptionsValidator : IValidateOptions<EvidenceOptions>
{
    public ValidateOptionsResult Validate(string? name, EvidenceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (CaptionFont.Problem(options.FontPath) is { } font)
        {
            errors.Add(font);
        }
        if (!(options.UtcOffsetHours is >= -14 and <= 14))
        {
            errors.Add($"{EvidenceOptions.SectionName}:UtcOffsetHours: {options.UtcOffsetHours} is outside -14..14");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

/// <summary>What the caption of an evidence image says: when, where, which camera, which plate (null: unread).</summary>
public sealed record EvidenceCaption(DateTimeOffset CapturedAt, string Place, string Device, string? Plate)
{
    /// <summary>The caption's fields in Chinese, the time in local time at <paramref name="utcOffset"/>.</summary>
    public IReadOnlyList<string> Fields(TimeSpan utcOffset)
    {
        var local = CapturedAt.ToOffset(utcOffset);
        var zone = utcOffset == TimeSpan.Zero ? "UTC" : "UTC" + utcOffset.TotalHours.ToString("+0.##;-0.##", CultureInfo.InvariantCulture);
        return
        [
            string.Create(CultureInfo.InvariantCulture, $"时间：{local:yyyy-MM-dd HH:mm:ss}（{zone}）"),
            $"地点：{Place}",
            $"设备：{Device}",
            $"号牌：{Plate ?? "未识别"}",
        ];
    }
}

/// <summary>
/// The Chinese font of evidence captions. OpenCV's Hershey fonts have no CJK glyphs, so the caption is drawn by
/// SkiaSharp into a bitmap and copied into the image as a band below it (the picture itself stays uncovered).
/// Thread-safe: every call makes its own font object and bitmap.
/// </summary>
public sealed class CaptionFont : IDisposable
{
    /// <summary>A character every caption has (地点): a font without it is not a Chinese font.</summary>
    private const char Probe = '地';
    private const string Separator = "　　";
    private readonly SKTypeface _typeface;

    private CaptionFont(SKTypeface typeface) => _typeface = typeface;

    public string Family => _typeface.FamilyName;

    /// <summary>Loads the font; <see cref="InvalidOperationException"/> with <see cref="Problem"/>'s message when it cannot.</summary>
    public static CaptionFont Load(string path)
    {
        var (typeface, problem) = Open(path);
        return typeface is null ? throw new InvalidOperationException(problem) : new CaptionFont(typeface);
    }

    /// <summary>Why <paramref name="path"/> cannot draw the captions (naming the key and the package), or null when it can.</summary>
    public static string? Problem(string path)
    {
        var (typeface, problem) = Open(path);
        typeface?.Dispose();
        return problem;
    }

    private static (SKTypeface? Typeface, string? Problem) Open(string path)
    {
        const string key = EvidenceOptions.SectionName + ":FontPath";
        var install = $"install the Debian package {EvidenceOptions.FontPackage} (apt-get install {EvidenceOptions.FontPackage}, font {EvidenceOptions.DefaultFontPath}) or set {key} to a font with Chinese characters";
        if (string.IsNullOrWhiteSpace(path))
        {
            return (null, $"{key}: not set; {install}");
        }
        if (!File.Exists(path))
        {
            return (null, $"{key}: {path} does not exist; {install}");
        }
        var typeface = SKTypeface.FromFile(path);
        if (typeface is null)
        {
            return (null, $"{key}: {path} is not a font SkiaSharp can read; {install}");
        }
        if (typeface.GetGlyph(Probe) == 0)
        {
            var family = typeface.FamilyName;
            typeface.Dispose();
            return (null, $"{key}: {path} ({family}) has no Chinese characters; {install}");
        }
        return (typeface, null);
    }

    /// <summary>The glyph the font draws for <paramref name="c"/>; 0 is the missing-glyph box.</summary>
    public ushort Glyph(char c) => _typeface.GetGlyph(c);

    /// <summary>
    /// A new image: <paramref name="image"/> (BGR) with a black band below it carrying <paramref name="fields"/> in
    /// white, as many per line as fit. The font size follows the image width, so captions read alike at any size.
    /// </summary>
    public Mat WithCaption(Mat image, IReadOnlyList<string> fields)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(fields);
        var width = image.Width;
        using var font = new SKFont(_typeface, Math.Max(14f, width / 48f));
        using var paint = new SKPaint { Color = SKColors.White, IsAntialias = true };
        var pad = font.Size * 0.5f;
        var lines = Pack(fields, font, width - 2 * pad);
        var lineHeight = font.Spacing;
        var bandHeight = (int)MathF.Ceiling(lines.Count * lineHeight + 2 * pad);

        using var band = new SKBitmap(new SKImageInfo(width, bandHeight, SKColorType.Bgra8888, SKAlphaType.Premul));
        using (var canvas = new SKCanvas(band))
        {
            canvas.Clear(SKColors.Black);
            for (var i = 0; i < lines.Count; i++)
            {
                canvas.DrawText(lines[i], pad, pad + i * lineHeight - font.Metrics.Ascent, SKTextAlign.Left, font, paint);
            }
        }

        var captioned = new Mat(image.Height + bandHeight, width, MatType.CV_8UC3);
        using (var top = new Mat(captioned, new Rect(0, 0, width, image.Height)))
        {
            image.CopyTo(top);
        }
        using var bgra = Mat.FromPixelData(bandHeight, width, MatType.CV_8UC4, band.GetPixels(), band.RowBytes);
        using (var bottom = new Mat(captioned, new Rect(0, image.Height, width, bandHeight)))
        {
            Cv2.CvtColor(bgra, bottom, ColorConversionCodes.BGRA2BGR);
        }
        return captioned;
    }

    /// <summary>Fields joined on one line while they fit; a field wider than the line gets a line of its own.</summary>
    private static List<string> Pack(IReadOnlyList<string> fields, SKFont font, float lineWidth)
    {
        var lines = new List<string>();
        foreach (var field in fields)
        {
            if (lines.Count > 0 && font.MeasureText(lines[^1] + Separator + field) <= lineWidth)
            {
                lines[^1] += Separator + field;
            }
            else
            {
                lines.Add(field);
            }
        }
        return lines;
    }

    public void Dispose() => _typeface.Dispose();
}
