namespace ScanGate.Emulator;

/// <summary>
/// The emulator's clock: the TimeProvider's time since start, times Speed, plus any offset added through
/// <c>/_emulator/clock/advance</c>. Scan and connector progress is derived from it on each request.
/// </summary>
public sealed class VirtualClock
{
    private readonly TimeProvider _time;
    private readonly DateTimeOffset _realStart;
    private readonly double _speed;
    private long _offsetTicks;

    internal VirtualClock(TimeProvider time, double speed)
    {
        _time = time;
        _speed = speed;
        _realStart = time.GetUtcNow();
    }

    public DateTimeOffset Now
    {
        get
        {
            var real = _time.GetUtcNow() - _realStart;
            var scaled = TimeSpan.FromTicks((long)(real.Ticks * _speed));
            return _realStart + scaled + TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));
        }
    }

    public TimeProvider TimeProvider => _time;

    /// <summary>The virtual time at start: scenario offsets such as <c>+90m</c> count from here.</summary>
    public DateTimeOffset Start => _realStart;

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);
}
