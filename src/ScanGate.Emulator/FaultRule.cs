namespace ScanGate.Emulator;

/// <summary>
/// A scripted fault: on the listed call numbers (1-based, counted per rule) of requests matching
/// <see cref="Path"/> (prefix) and <see cref="Action"/>, do <see cref="Kind"/> instead of (or around) the normal answer.
/// </summary>
public sealed class FaultRule
{
    public static readonly string[] Kinds =
    [
        "http_500", "http_502", "http_503", "maintenance_1999", "maintenance_html", "connection_reset", "slow",
        "truncated_body", "malformed_body", "conflict_1960", "conflict_1965", "lost_launch_response",
        "scan_error", "scan_canceled", "scan_stuck_queued", "scan_stuck_paused",
        "connector_finished_errors", "connector_incomplete",
    ];

    /// <summary>Path prefix, e.g. <c>/api/2.0/fo/scan/</c>; empty matches every Qualys path.</summary>
    public string Path { get; set; } = "";

    /// <summary>The <c>action</c> parameter to match (launch, list, fetch...); null matches any.</summary>
    public string? Action { get; set; }

    public string Kind { get; set; } = "";

    /// <summary>Call numbers among matching requests; empty = every call.</summary>
    public IList<int> Calls { get; set; } = [];

    /// <summary>Delay for <c>slow</c>, in seconds of the TimeProvider.</summary>
    public double DelaySeconds { get; set; } = 30;

    /// <summary>Error text for connector_finished_errors.</summary>
    public string? Message { get; set; }

    internal int Seen;

    internal void Validate(string source)
    {
        if (!Kinds.Contains(Kind, StringComparer.Ordinal))
        {
            throw new ScenarioException($"{source}: faults: invalid kind '{Kind}' (expected one of {string.Join(", ", Kinds)})");
        }

        if (Calls.Any(c => c < 1))
        {
            throw new ScenarioException($"{source}: faults[{Kind}].calls: call numbers start at 1");
        }

        if (DelaySeconds < 0)
        {
            throw new ScenarioException($"{source}: faults[{Kind}].delay_seconds: must not be negative");
        }
    }

    internal bool Matches(string path, string? action) =>
        path.StartsWith(Path, StringComparison.OrdinalIgnoreCase)
        && (Action is null || string.Equals(Action, action, StringComparison.OrdinalIgnoreCase));

    /// <summary>Counts a matching call and says whether this call number is faulted.</summary>
    internal bool Hit()
    {
        Seen++;
        return Calls.Count == 0 || Calls.Contains(Seen);
    }

    internal FaultRule Clone() => new()
    {
        Path = Path, Action = Action, Kind = Kind, Calls = [.. Calls], DelaySeconds = DelaySeconds, Message = Message,
    };
}
