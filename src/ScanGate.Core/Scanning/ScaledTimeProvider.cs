namespace ScanGate.Scanning;

/// <summary>
/// Time running <see cref="Speed"/> times faster than an inner provider, for the demo: the emulator's scan phases, the
/// poll interval and the client's waits all pass on one accelerated clock, so a "2-minute" poll takes seconds.
/// </summary>
public sealed class ScaledTimeProvider : TimeProvider
{
    private readonly TimeProvider _inner;
    private readonly DateTimeOffset _start;
    private readonly long _startTimestamp;

    public ScaledTimeProvider(TimeProvider inner, double speed)
    {
        if (speed <= 0 || double.IsNaN(speed) || double.IsInfinity(speed))
        {
            throw new ArgumentOutOfRangeException(nameof(speed), speed, "speed must be a positive number.");
        }

        _inner = inner;
        Speed = speed;
        _start = inner.GetUtcNow();
        _startTimestamp = inner.GetTimestamp();
    }

    public double Speed { get; }

    public override long TimestampFrequency => _inner.TimestampFrequency;

    public override DateTimeOffset GetUtcNow() => _start + (_inner.GetElapsedTime(_startTimestamp) * Speed);

    public override long GetTimestamp() => _startTimestamp + (long)((_inner.GetTimestamp() - _startTimestamp) * Speed);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        new ScaledTimer(_inner.CreateTimer(callback, state, Scale(dueTime), Scale(period)), this);

    /// <summary>A duration of this clock in the inner clock's time.</summary>
    public TimeSpan Scale(TimeSpan span) =>
        span == Timeout.InfiniteTimeSpan || span <= TimeSpan.Zero ? span : span / Speed;

    private sealed class ScaledTimer(ITimer inner, ScaledTimeProvider owner) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => inner.Change(owner.Scale(dueTime), owner.Scale(period));

        public void Dispose() => inner.Dispose();

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
