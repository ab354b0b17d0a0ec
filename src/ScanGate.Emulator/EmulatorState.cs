namespace ScanGate.Emulator;

/// <summary>One call the emulator received. Credentials (Authorization, Cookie, password parameters) are never recorded.</summary>
public sealed class RecordedRequest
{
    public required long Sequence { get; init; }
    public required DateTimeOffset Time { get; init; }
    public required string Method { get; init; }
    public required string Path { get; init; }
    public required IReadOnlyDictionary<string, string> Parameters { get; init; }
    public required IReadOnlyDictionary<string, string> Headers { get; init; }
    public string? Body { get; init; }

    /// <summary>HTTP status sent (0 while in flight or when the connection was reset).</summary>
    public int Status { get; internal set; }
}

/// <summary>
/// Everything the emulator remembers. In-process tests use it to read the request log, set faults, advance the clock
/// and switch account states without HTTP. Thread-safe.
/// </summary>
public sealed class EmulatorState
{
    internal const int MaxLoggedRequests = 10_000;

    private readonly List<RecordedRequest> _requests = [];
    private readonly List<FaultRule> _faults = [];
    private long _sequence;

    /// <summary>Requests currently held by a <c>slow</c> fault (lets tests know when to move a fake clock).</summary>
    internal int SlowInFlight;

    /// <summary>Requests held open by a <c>hang</c> or <c>stall_body</c> fault, waiting for the client to give up.</summary>
    internal int HangingInFlight;
    private long _nextScanId;

    internal EmulatorState(Scenario scenario, VirtualClock clock)
    {
        Scenario = scenario;
        Clock = clock;
        scenario.Resolve(clock.Start);
        KnowledgeBase = new KnowledgeBase(scenario.KnowledgeBase.Seed, scenario.KnowledgeBase.Size, scenario.KnowledgeBase.Entries, clock.Start);
        foreach (var host in scenario.Hosts)
        {
            if (host.Detections.FirstOrDefault(d => KnowledgeBase.Find(d.Qid) is null) is { } unknown)
            {
                throw new ScenarioException($"hosts[{host.Ip}].detections: qid {unknown.Qid} is not in the knowledge base (add it under knowledge_base.entries)");
            }
        }

        Limiter = new RateLimiter(scenario.Limits);
        ResetCore();
    }

    /// <summary>Cancelled when the emulator stops: ends hanging and stalled answers.</summary>
    internal CancellationTokenSource Stopping { get; } = new();

    internal object Sync { get; } = new();

    internal Scenario Scenario { get; }

    internal KnowledgeBase KnowledgeBase { get; }

    internal RateLimiter Limiter { get; }

    public VirtualClock Clock { get; }

    internal List<ScanRecord> Scans { get; } = [];

    /// <summary>How many scans each scenario host (role) has had, across its IP changes.</summary>
    internal Dictionary<ScenarioHost, int> HostScanCounts { get; } = [];

    /// <summary>Responses by path, action and status since start or reset (not capped like the request log).</summary>
    internal Dictionary<(string Path, string? Action, int Status), long> Stats { get; } = [];

    internal Dictionary<string, string> AccountStates { get; } = new(StringComparer.Ordinal);

    internal Dictionary<string, string> Sessions { get; } = new(StringComparer.Ordinal);

    internal Dictionary<long, ConnectorRuntime> Connectors { get; } = [];

    /// <summary>The scenario's user names (the first is the one to rehearse with).</summary>
    public IReadOnlyList<string> Usernames => [.. Scenario.Users.Select(u => u.Username)];

    /// <summary>The scenario's live hosts' IPs at start, in scenario order.</summary>
    public IReadOnlyList<string> HostIps => [.. Scenario.Hosts.Where(h => h.Alive).Select(h => h.Ip)];

    /// <summary>The rate and concurrency limits of every API not listed under <c>limits.paths</c>.</summary>
    public LimitSpec DefaultLimits => Scenario.Limits.Default;

    /// <summary>A snapshot of the calls received so far (oldest first, at most 10,000).</summary>
    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (Sync)
            {
                return [.. _requests];
            }
        }
    }

    public void AdvanceClock(TimeSpan by)
    {
        if (by < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(by), by, "The virtual clock only moves forward.");
        }

        Clock.Advance(by);
    }

    /// <summary>Adds a fault rule at run time (validated like a scenario fault).</summary>
    public void AddFault(FaultRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        rule.Validate("fault");
        lock (Sync)
        {
            _faults.Add(rule.Clone());
        }
    }

    public void ClearFaults()
    {
        lock (Sync)
        {
            _faults.Clear();
        }
    }

    /// <summary>Switches a user's account state: active, expired, inactive, registration_pending or license.</summary>
    public void SetAccountState(string username, string state)
    {
        ArgumentNullException.ThrowIfNull(username);
        var parsed = Emulator.AccountStates.Parse(state, "state");
        lock (Sync)
        {
            if (!AccountStates.ContainsKey(username))
            {
                throw new ArgumentException($"user: unknown user '{username}'", nameof(username));
            }

            AccountStates[username] = parsed;
        }
    }

    /// <summary>Forgets scans, sessions, connector runs, rate counters, the request log and run-time faults; keeps the clock.</summary>
    public void Reset()
    {
        lock (Sync)
        {
            ResetCore();
        }
    }

    private void ResetCore()
    {
        _requests.Clear();
        _faults.Clear();
        foreach (var rule in Scenario.Faults)
        {
            _faults.Add(rule.Clone());
        }

        Scans.Clear();
        HostScanCounts.Clear();
        Stats.Clear();
        Sessions.Clear();
        AccountStates.Clear();
        foreach (var user in Scenario.Users)
        {
            AccountStates[user.Username] = user.State;
        }

        Connectors.Clear();
        foreach (var connector in Scenario.Connectors)
        {
            Connectors[connector.Id] = new ConnectorRuntime(connector);
        }

        Limiter.Reset();
        _nextScanId = 1_036_992;
    }

    internal long NextScanId() => ++_nextScanId;

    internal RecordedRequest Record(string method, string path, Dictionary<string, string> parameters, Dictionary<string, string> headers, string? body)
    {
        lock (Sync)
        {
            var record = new RecordedRequest
            {
                Sequence = ++_sequence,
                Time = Clock.Now,
                Method = method,
                Path = path,
                Parameters = parameters,
                Headers = headers,
                Body = body,
            };
            _requests.Add(record);
            if (_requests.Count > MaxLoggedRequests)
            {
                _requests.RemoveAt(0);
            }

            return record;
        }
    }

    internal void Count(string path, string? action, int status)
    {
        lock (Sync)
        {
            var key = (path, action, status);
            Stats[key] = Stats.GetValueOrDefault(key) + 1;
        }
    }

    /// <summary>Counts this call against every matching rule and returns the rules that fire on it.</summary>
    internal List<FaultRule> FiringFaults(string path, string? action)
    {
        lock (Sync)
        {
            var firing = new List<FaultRule>();
            foreach (var rule in _faults)
            {
                if (rule.Matches(path, action) && rule.Hit())
                {
                    firing.Add(rule);
                }
            }

            return firing;
        }
    }

    internal IReadOnlyList<FaultRule> FaultSnapshot()
    {
        lock (Sync)
        {
            return [.. _faults];
        }
    }
}

/// <summary>Run-time state of one connector: runs go QUEUED → RUNNING → PROCESSING → outcome on the virtual clock.</summary>
internal sealed class ConnectorRuntime(ScenarioConnector definition)
{
    public ScenarioConnector Definition { get; } = definition;
    public DateTimeOffset? RunStarted { get; set; }
    public string? RunOutcome { get; set; }
    public string? RunError { get; set; }
    public bool HasCompletedRun { get; set; }

    public (string State, DateTimeOffset? LastSync, string? LastError) Evaluate(ScenarioTimings t, DateTimeOffset now)
    {
        if (Definition.Disabled)
        {
            return ("DISABLED", null, Definition.LastError);
        }

        if (RunStarted is not { } start)
        {
            return (Definition.State, null, Definition.LastError);
        }

        var elapsed = (now - start).TotalSeconds;
        if (elapsed < t.ConnectorQueued)
        {
            return ("QUEUED", null, null);
        }

        if (elapsed < t.ConnectorQueued + t.ConnectorRunning)
        {
            return ("RUNNING", null, null);
        }

        var end = t.ConnectorQueued + t.ConnectorRunning + t.ConnectorProcessing;
        if (elapsed < end)
        {
            return ("PROCESSING", null, null);
        }

        HasCompletedRun = true;
        var outcome = RunOutcome ?? Definition.RunOutcome;
        var error = outcome == "FINISHED_SUCCESS" ? null : RunError ?? Definition.LastError ?? "Connector run failed: the AWS role could not be assumed (emulated).";
        return (outcome, start.AddSeconds(end), error);
    }
}

internal static class ConnectorStates
{
    public static bool IsValidOutcome(string outcome) => outcome is "FINISHED_SUCCESS" or "FINISHED_ERRORS" or "INCOMPLETE";
}
