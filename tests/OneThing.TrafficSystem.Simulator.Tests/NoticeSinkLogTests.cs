using Microsoft.Extensions.Logging;
using OneThing.TrafficSystem.Simulator;
using Xunit;

namespace OneThing.TrafficSystem.Simulator.Tests;

/// <summary>Issue 14 item 7: an Information log line about an SMS shows the plate masked, also inside the SMS text.</summary>
public sealed class NoticeSinkLogTests
{
    [Theory]
    [InlineData(LogLevel.Information, "皖A***K9")]
    [InlineData(LogLevel.Debug, "皖A195K9")]
    public void The_plate_is_whole_in_logs_only_at_debug(LogLevel minimum, string shown)
    {
        var logger = new CapturingLogger(minimum);
        var sink = new NoticeSink(logger, null);
        sink.Send(new Notice(Guid.NewGuid(), "C1", "皖A195K9", "138****0000", "sent", "您的车辆皖A195K9占用消防通道", DateTimeOffset.UtcNow));
        sink.Send(new Notice(Guid.NewGuid(), "C2", "皖A195K9", null, "no-owner", "", DateTimeOffset.UtcNow));

        Assert.Equal(2, logger.Lines.Count);
        Assert.All(logger.Lines, line => Assert.Contains(shown, line, StringComparison.Ordinal));
        if (minimum == LogLevel.Information)
        {
            Assert.All(logger.Lines, line => Assert.DoesNotContain("皖A195K9", line, StringComparison.Ordinal));
        }
    }

    private sealed class CapturingLogger(LogLevel minimum) : ILogger<NoticeSink>
    {
        public List<string> Lines { get; } = [];
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                Lines.Add(formatter(state, exception));
            }
        }
    }
}
