namespace ScanGate.Emulator;

internal enum LimitOutcome
{
    Allowed,
    ConcurrencyExceeded,
    RateExceeded,
}

/// <summary>
/// A limiter verdict. <c>Running</c> is <c>X-Concurrency-Limit-Running</c>: the other calls of this API in flight.
/// Recorded real traffic shows 0 on a lone call (the docs say "including this one", but the recordings win); a 1960
/// refusal shows the calls that hold the slots.
/// </summary>
internal readonly record struct LimitDecision(LimitOutcome Outcome, LimitSpec Spec, int Running, int Remaining, int ToWaitSeconds);

/// <summary>
/// Per-API rolling-window rate limit and concurrency limit, as the real FO API applies them per subscription and per
/// API path. The concurrency check comes first; a blocked call does not count against the window.
/// </summary>
internal sealed class RateLimiter(ScenarioLimits limits)
{
    private readonly Dictionary<string, Bucket> _buckets = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _sync = new();

    public void Reset()
    {
        lock (_sync)
        {
            _buckets.Clear();
        }
    }

    public LimitSpec SpecFor(string path) =>
        limits.Paths.TryGetValue(path, out var spec) ? spec : limits.Default;

    public LimitDecision TryEnter(string path, DateTimeOffset now)
    {
        var spec = SpecFor(path);
        lock (_sync)
        {
            if (!_buckets.TryGetValue(path, out var bucket))
            {
                bucket = new Bucket();
                _buckets[path] = bucket;
            }

            var windowStart = now.AddSeconds(-spec.Window);
            while (bucket.Calls.Count > 0 && bucket.Calls.Peek() <= windowStart)
            {
                bucket.Calls.Dequeue();
            }

            if (bucket.Running >= spec.Concurrency)
            {
                return new LimitDecision(LimitOutcome.ConcurrencyExceeded, spec, bucket.Running, 0, 0);
            }

            if (bucket.Calls.Count >= spec.Limit)
            {
                var wait = (int)Math.Ceiling((bucket.Calls.Peek().AddSeconds(spec.Window) - now).TotalSeconds);
                return new LimitDecision(LimitOutcome.RateExceeded, spec, bucket.Running, 0, Math.Max(wait, 1));
            }

            bucket.Calls.Enqueue(now);
            var others = bucket.Running++;
            return new LimitDecision(LimitOutcome.Allowed, spec, others, spec.Limit - bucket.Calls.Count, 0);
        }
    }

    public void Exit(string path)
    {
        lock (_sync)
        {
            if (_buckets.TryGetValue(path, out var bucket) && bucket.Running > 0)
            {
                bucket.Running--;
            }
        }
    }

    private sealed class Bucket
    {
        public Queue<DateTimeOffset> Calls { get; } = new();
        public int Running { get; set; }
    }
}
