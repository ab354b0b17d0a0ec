using Microsoft.Extensions.Time.Testing;

namespace ScanGate.Chaos.Tests;

/// <summary>
/// The one fake clock of a chaos case, shared by ScanGate and the fake Qualys (or the emulator). Waits (poll interval,
/// back-off, a 1965 wait, the emulator's slow answers) jump ahead at once. Time limits (every
/// CancellationTokenSource timer: the run's deadline, per-call timeouts, the stall guard, the cancel grace) are
/// tracked and left alone; a server that hangs moves the clock to the next pending limit, exactly as much time as
/// passes before someone gives up, so a hung case costs milliseconds and its elapsed time is exact.
/// </summary>
internal sealed class ChaosClock : TimeProvider
{
    private readonly FakeTimeProvider _fake;
    private readonly Lock _gate = new();
    private readonly List<LimitTimer> _limits = [];

    public ChaosClock(DateTimeOffset start)
    {
        _fake = new FakeTimeProvider(start);
        Start = start;
    }

    public DateTimeOffset Start { get; }

    public TimeSpan Elapsed => GetUtcNow() - Start;

    public override DateTimeOffset GetUtcNow() => _fake.GetUtcNow();

    public override long GetTimestamp() => _fake.GetTimestamp();

    public override long TimestampFrequency => _fake.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (state is CancellationTokenSource)
        {
            var limit = new LimitTimer(this);
            limit.Arm(dueTime);
            limit.Inner = _fake.CreateTimer(s => { limit.Fired(); callback(s); }, state, dueTime, period);
            return limit;
        }

        var timer = _fake.CreateTimer(callback, state, dueTime, period);
        if (dueTime > TimeSpan.Zero && dueTime != Timeout.InfiniteTimeSpan && period == Timeout.InfiniteTimeSpan)
        {
            ThreadPool.UnsafeQueueUserWorkItem(_ => _fake.Advance(dueTime), null);
        }

        return timer;
    }

    /// <summary>Moves the clock to the earliest pending time limit (which then fires); false when none is pending.</summary>
    public bool AdvanceToNextLimit()
    {
        DateTimeOffset? next;
        lock (_gate)
        {
            next = _limits.Where(l => l.DueAt is not null).Select(l => l.DueAt!.Value).DefaultIfEmpty().Min();
            if (next == default(DateTimeOffset))
            {
                return false;
            }
        }

        var now = _fake.GetUtcNow();
        _fake.Advance(next.Value > now ? next.Value - now : TimeSpan.Zero);
        return true;
    }

    /// <summary>
    /// Time passes while a server does not answer: the clock moves from one pending limit to the next until the
    /// request is abandoned (<paramref name="aborted"/>). The short real pauses only let the client see each limit fire.
    /// </summary>
    public async Task PassUntilAbandonedAsync(CancellationToken aborted)
    {
        await PauseAsync(aborted);
        for (var step = 0; step < 200 && !aborted.IsCancellationRequested; step++)
        {
            if (!AdvanceToNextLimit())
            {
                _fake.Advance(TimeSpan.FromSeconds(1));
            }

            await PauseAsync(aborted);
        }
    }

    private static async Task PauseAsync(CancellationToken aborted)
    {
        try
        {
            await Task.Delay(TimeSpan.FromMilliseconds(30), aborted);
        }
        catch (OperationCanceledException)
        {
            // The client gave up: what we waited for.
        }
    }

    private sealed class LimitTimer(ChaosClock clock) : ITimer
    {
        public ITimer Inner { get; set; } = null!;

        public DateTimeOffset? DueAt { get; private set; }

        public void Arm(TimeSpan dueTime)
        {
            lock (clock._gate)
            {
                DueAt = dueTime == Timeout.InfiniteTimeSpan ? null : clock._fake.GetUtcNow() + dueTime;
                if (!clock._limits.Contains(this))
                {
                    clock._limits.Add(this);
                }
            }
        }

        public void Fired()
        {
            lock (clock._gate)
            {
                DueAt = null;
            }
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            Arm(dueTime);
            return Inner.Change(dueTime, period);
        }

        public void Dispose()
        {
            lock (clock._gate)
            {
                clock._limits.Remove(this);
            }

            Inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
