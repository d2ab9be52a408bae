using OpenCvSharp;

namespace OneThing.Edge.Host.Bridge;

/// <summary>Where a camera bridge reads frames: a live stream (RTSP/HTTP), a video file, a folder of images, or one image.</summary>
public abstract class FrameSource : IDisposable
{
    private static readonly string[] ImageExtensions = [".jpg", ".jpeg", ".png"];

    /// <summary>Next frame as JPEG or PNG bytes, or null at the end of a finite source.</summary>
    public abstract byte[]? Next();

    public virtual void Dispose() => GC.SuppressFinalize(this);

    public static FrameSource Open(string source, bool loop)
    {
        if (Uri.TryCreate(source, UriKind.Absolute, out var uri) && uri.Scheme is "rtsp" or "rtsps" or "http" or "https")
        {
            return new VideoSource(source, live: true, loop: false);
        }
        if (Directory.Exists(source))
        {
            var files = Directory.EnumerateFiles(source).Where(f => ImageExtensions.Contains(Path.GetExtension(f).ToLowerInvariant())).Order(StringComparer.Ordinal).ToArray();
            return files.Length > 0 ? new ImageFilesSource(files, loop) : throw new ArgumentException($"--source {source}: the folder has no .jpg or .png images");
        }
        if (!File.Exists(source))
        {
            throw new ArgumentException($"--source {source}: no such file, folder or stream URL");
        }
        return ImageExtensions.Contains(Path.GetExtension(source).ToLowerInvariant())
            ? new ImageFilesSource([source], loop)
            : new VideoSource(source, live: false, loop);
    }

    private sealed class ImageFilesSource(string[] files, bool loop) : FrameSource
    {
        private int _next;

        public override byte[]? Next()
        {
            if (_next == files.Length)
            {
                if (!loop)
                {
                    return null;
                }
                _next = 0;
            }
            return File.ReadAllBytes(files[_next++]);
        }
    }

    private sealed class VideoSource : FrameSource
    {
        private readonly string _source;
        private readonly bool _live;
        private readonly bool _loop;
        private readonly Mat _frame = new();
        private VideoCapture _capture;

        public VideoSource(string source, bool live, bool loop)
        {
            _source = source;
            _live = live;
            _loop = loop;
            _capture = OpenCapture();
        }

        public override byte[]? Next()
        {
            if (!_capture.Read(_frame) || _frame.Empty())
            {
                if (_live || _loop)
                {
                    // A dropped stream or the end of a looped file: reopen and try once more; the caller backs off.
                    _capture.Dispose();
                    _capture = OpenCapture();
                    if (!_capture.Read(_frame) || _frame.Empty())
                    {
                        return _live ? throw new IOException($"stream {_source} gives no frames") : null;
                    }
                }
                else
                {
                    return null;
                }
            }
            Cv2.ImEncode(".jpg", _frame, out var jpeg, new ImageEncodingParam(ImwriteFlags.JpegQuality, 85));
            return jpeg;
        }

        private VideoCapture OpenCapture()
        {
            var capture = new VideoCapture(_source);
            return capture.IsOpened() || _live ? capture : throw new ArgumentException($"--source {_source}: not a readable video");
        }

        public override void Dispose()
        {
            _capture.Dispose();
            _frame.Dispose();
            base.Dispose();
        }
    }
}
