using OneThing.Edge.Host.Footage;
using OneThing.Edge.TestKit;
using Xunit;

namespace OneThing.Edge.Host.Tests.Tuning;

/// <summary>Kept frames: named by capture time, found again after a restart, pruned by window and budget, never around a case.</summary>
public sealed class FootageStoreTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    private static FootageStore WithFrames(string root, int count, int bytes = 1000)
    {
        var store = new FootageStore(root);
        for (var i = 0; i < count; i++)
        {
            store.Add("cam-1", T0.AddSeconds(5 * i).AddMilliseconds(123), new byte[bytes]);
        }
        return store;
    }

    [Fact]
    public void Frames_come_back_in_capture_order_with_their_times_also_after_a_restart()
    {
        var root = TestPaths.NewTempDirectory("footage");
        var first = WithFrames(root, 4);
        // A late frame is put in its place.
        first.Add("cam-1", T0.AddSeconds(7), new byte[10]);

        var reopened = new FootageStore(root);
        var frames = reopened.Frames("cam-1", T0, T0.AddMinutes(1));
        Assert.Equal([123, 5123, 7000, 10123, 15123], frames.Select(f => (f.CapturedAt - T0).TotalMilliseconds));
        Assert.Equal(4010, reopened.Bytes("cam-1"));
        Assert.Empty(reopened.Frames("cam-2", T0, T0.AddMinutes(1)));
        Assert.Equal(2, reopened.Frames("cam-1", T0.AddSeconds(5), T0.AddSeconds(8)).Count);
    }

    [Fact]
    public void Over_the_budget_the_oldest_frames_go_first_but_not_those_around_a_case()
    {
        var store = WithFrames(TestPaths.NewTempDirectory("footage"), 10);
        // Frames 1 and 2 (5 s and 10 s) lie around a case.
        IReadOnlyList<(DateTimeOffset, DateTimeOffset)> cases = [(T0.AddSeconds(4), T0.AddSeconds(11))];

        var dropped = store.Prune("cam-1", T0.AddDays(-7), maxBytes: 6000, cases);

        Assert.Equal(4, dropped);
        var kept = store.Frames("cam-1", T0, T0.AddHours(1)).Select(f => (int)Math.Round((f.CapturedAt - T0).TotalSeconds)).ToArray();
        Assert.Equal([5, 10, 30, 35, 40, 45], kept);
        Assert.Equal(6, Directory.GetFiles(store.Folder("cam-1")).Length);
    }

    [Fact]
    public void Past_the_window_every_frame_goes_case_frames_too()
    {
        var store = WithFrames(TestPaths.NewTempDirectory("footage"), 10);

        var dropped = store.Prune("cam-1", T0.AddSeconds(20), maxBytes: long.MaxValue, [(T0, T0.AddHours(1))]);

        Assert.Equal(4, dropped);
        Assert.Equal(T0.AddMilliseconds(20123), store.Frames("cam-1", T0, T0.AddHours(1))[0].CapturedAt);
    }

    [Fact]
    public void A_frame_written_again_to_its_file_is_one_frame_counted_once()
    {
        var root = TestPaths.NewTempDirectory("footage");
        var store = WithFrames(root, 3);

        store.Add("cam-1", T0.AddSeconds(10).AddMilliseconds(123), new byte[400]); // the last frame again
        store.Add("cam-1", T0.AddSeconds(5).AddMilliseconds(123.5), new byte[300]); // the middle one's file: same millisecond

        var frames = store.Frames("cam-1", T0, T0.AddMinutes(1));
        Assert.Equal([1000, 300, 400], frames.Select(f => f.Bytes));
        Assert.Equal(3, frames.Select(f => f.Path).Distinct().Count());
        Assert.Equal(1700, store.Bytes("cam-1"));
        Assert.Equal(1700, new FootageStore(root).Bytes("cam-1"));
    }

    [Fact]
    public void The_byte_total_follows_writes_rewrites_and_prunes()
    {
        var store = WithFrames(TestPaths.NewTempDirectory("footage"), 10);
        store.Add("cam-1", T0.AddMilliseconds(123), new byte[400]); // the first frame written again, smaller

        store.Prune("cam-1", T0.AddSeconds(20), maxBytes: 5000, []);

        var left = store.Frames("cam-1", T0, T0.AddHours(1));
        Assert.Equal(5000, store.Bytes("cam-1"));
        Assert.Equal(left.Sum(f => f.Bytes), store.Bytes("cam-1"));
        Assert.Equal(left.Sum(f => f.Bytes), new FootageStore(store.Root).Bytes("cam-1"));
    }
}
