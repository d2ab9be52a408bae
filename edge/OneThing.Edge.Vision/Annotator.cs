using System.Globalization;
using OneThing.Edge.Domain.Detections;
using OneThing.Edge.Domain.Geometry;
using OpenCvSharp;

namespace OneThing.Edge.Vision;

/// <summary>A fire lane to draw: its id and polygon in normalised (0..1) frame coordinates.</summary>
public sealed record LaneOverlay(string Id, IReadOnlyList<PointF> Polygon);

/// <summary>What to draw on an evidence frame.</summary>
public sealed record FrameOverlay(
    string CameraId,
    DateTimeOffset CapturedAt,
    IReadOnlyList<LaneOverlay> Lanes,
    IReadOnlyList<VehicleDetection> Vehicles,
    IReadOnlyList<PlateReading> Plates);

/// <summary>
/// Draws lanes, vehicle and plate boxes and a capture-time/camera stamp on a copy of the frame and encodes JPEG
/// (the console's live view, `detect --out`). OpenCV's Hershey fonts have no CJK glyphs, so plate text is drawn with
/// the province character written in pinyin (沪 -> "HU-"), and an unvalidated reading ends in '?'. Evidence images
/// carry their Chinese caption from <see cref="CaptionFont"/> instead of the stamp.
/// </summary>
public sealed class Annotator
{
    private static readonly Scalar LaneColor = new(0, 0, 255);
    private static readonly Scalar VehicleColor = new(0, 200, 0);
    private static readonly Scalar PlateColor = new(0, 215, 255);
    private static readonly Scalar StampBackground = new(0, 0, 0);
    private static readonly Scalar White = new(255, 255, 255);

    private static readonly Dictionary<char, string> Pinyin = new()
    {
        ['京'] = "JING", ['津'] = "JIN", ['沪'] = "HU", ['渝'] = "YU", ['冀'] = "JI", ['豫'] = "YU", ['云'] = "YUN",
        ['辽'] = "LIAO", ['黑'] = "HEI", ['湘'] = "XIANG", ['皖'] = "WAN", ['鲁'] = "LU", ['新'] = "XIN", ['苏'] = "SU",
        ['浙'] = "ZHE", ['赣'] = "GAN", ['鄂'] = "E", ['桂'] = "GUI", ['甘'] = "GAN", ['晋'] = "JIN", ['蒙'] = "MENG",
        ['陕'] = "SHAN", ['吉'] = "JI", ['闽'] = "MIN", ['贵'] = "GUI", ['粤'] = "YUE", ['青'] = "QING", ['藏'] = "ZANG",
        ['川'] = "CHUAN", ['宁'] = "NING", ['琼'] = "QIONG", ['学'] = "XUE", ['警'] = "JING", ['港'] = "GANG",
        ['澳'] = "AO", ['挂'] = "GUA", ['领'] = "LING", ['使'] = "SHI",
    };

    /// <summary>Annotated copy of <paramref name="frame"/> as JPEG bytes; the frame itself is not modified.</summary>
    public byte[] Render(Mat frame, FrameOverlay overlay, int jpegQuality = 90)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ArgumentNullException.ThrowIfNull(overlay);
        using var canvas = frame.Clone();
        Draw(canvas, overlay);
        var (scale, thickness) = Pen(canvas);
        var stamp = string.Create(CultureInfo.InvariantCulture,
            $"{overlay.CapturedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss.fff} UTC  camera {ToAscii(overlay.CameraId)}");
        Label(canvas, stamp, new Point(8, 8 + 30 * scale), White, scale, thickness);
        return Encode(canvas, jpegQuality);
    }

    /// <summary>Draws the overlay's lanes, vehicle and plate boxes onto <paramref name="canvas"/> (no time stamp).</summary>
    public void Draw(Mat canvas, FrameOverlay overlay)
    {
        ArgumentNullException.ThrowIfNull(canvas);
        ArgumentNullException.ThrowIfNull(overlay);
        var (scale, thickness) = Pen(canvas);
        foreach (var lane in overlay.Lanes)
        {
            var pts = lane.Polygon.Select(p => new Point(p.X * canvas.Width, p.Y * canvas.Height)).ToArray();
            if (pts.Length >= 2)
            {
                Cv2.Polylines(canvas, [pts], isClosed: true, LaneColor, thickness, LineTypes.AntiAlias);
                Label(canvas, "lane " + ToAscii(lane.Id), pts[0], LaneColor, scale, thickness);
            }
        }
        foreach (var v in overlay.Vehicles)
        {
            var r = ToRect(v.Box);
            Cv2.Rectangle(canvas, r, VehicleColor, thickness);
            Label(canvas, string.Create(CultureInfo.InvariantCulture, $"{v.Label} {v.Score:0.00}"), r.TopLeft, VehicleColor, scale, thickness);
        }
        foreach (var p in overlay.Plates)
        {
            var pts = p.Corners.Select(c => new Point(c.X, c.Y)).ToArray();
            Cv2.Polylines(canvas, [pts], isClosed: true, PlateColor, thickness, LineTypes.AntiAlias);
            var text = (p.Text.Length == 0 ? "plate" : ToAscii(p.Text)) + (p.IsValid ? "" : "?");
            Label(canvas, text, new Point(p.Box.X1, p.Box.Y2 + 4 + 24 * scale), PlateColor, scale, thickness);
        }
    }

    /// <summary>The plate close-up's region of the frame: the plate box grown by half its size, inside the frame.</summary>
    public static Rect CloseUpRegion(Mat frame, Box plate)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var r = ToRect(plate.Expand(0.5f).ClampTo(frame.Width, frame.Height));
        if (r.Width < 1 || r.Height < 1)
        {
            throw new ArgumentException("plate box lies outside the frame", nameof(plate));
        }
        return r;
    }

    /// <summary>Plate or id text that Hershey fonts can draw: CJK characters become pinyin, others '?'.</summary>
    public static string ToAscii(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var sb = new System.Text.StringBuilder();
        foreach (var ch in text)
        {
            if (ch < 128)
            {
                sb.Append(ch);
            }
            else
            {
                sb.Append(Pinyin.TryGetValue(ch, out var py) ? py + "-" : "?");
            }
        }
        return sb.ToString();
    }

    public static byte[] Encode(Mat image, int quality)
    {
        Cv2.ImEncode(".jpg", image, out var bytes, new ImageEncodingParam(ImwriteFlags.JpegQuality, quality));
        return bytes;
    }

    private static (double Scale, int Thickness) Pen(Mat canvas) => (Math.Max(0.5, canvas.Width / 1600.0), Math.Max(2, canvas.Width / 640));

    private static Rect ToRect(Box b) => new((int)b.X1, (int)b.Y1, (int)b.Width, (int)b.Height);

    private static void Label(Mat canvas, string text, Point origin, Scalar color, double scale, int thickness)
    {
        var size = Cv2.GetTextSize(text, HersheyFonts.HersheySimplex, scale, thickness, out var baseline);
        var y = Math.Max(size.Height + 2, origin.Y);
        var x = Math.Clamp(origin.X, 0, Math.Max(0, canvas.Width - size.Width));
        Cv2.Rectangle(canvas, new Rect(x, y - size.Height - 2, size.Width, size.Height + baseline + 2), StampBackground, -1);
        Cv2.PutText(canvas, text, new Point(x, y), HersheyFonts.HersheySimplex, scale, color, thickness, LineTypes.AntiAlias);
    }
}
