namespace ScanGate.Emulator;

/// <summary>
/// A scripted fault: on the listed call numbers (1-based, counted per rule) of requests matching
/// <see cref="Phase"/>, <see cref="Path"/> (prefix) and <see cref="Action"/>, do <see cref="Kind"/> instead of (or
/// around) the normal answer.
/// </summary>
public sealed class FaultRule
{
    public static readonly string[] Kinds =
    [
        // Transport and HTTP.
        "http_500", "http_502", "http_503", "maintenance_1999", "maintenance_html", "connection_reset", "slow", "hang",
        "truncated_body", "cut_body", "reset_mid_body", "stall_body", "malformed_body", "wrong_content_type",
        "gzip_corrupt", "gzip_truncated", "lost_launch_response",
        // Qualys answers.
        "simple_return", "conflict_1960", "conflict_1965",
        // Scan fate (on a launch) or the state one list answer shows (on a list).
        "scan_error", "scan_canceled", "scan_stuck_queued", "scan_stuck_paused", "scan_state",
        // Incomplete or inconsistent fetch results.
        "result_status", "result_not_scanned", "result_empty", "result_other_reference", "result_missing_field",
        "result_duplicate_key", "result_invalid_utf8", "result_no_header", "result_no_summary",
        // Connector runs.
        "connector_finished_errors", "connector_incomplete",
    ];

    /// <summary>The appendix keys of a fetch that say a host was not scanned (qualys-api.md §3.3).</summary>
    public static readonly string[] NotScannedKeys =
    [
        "hosts_not_scanned_excluded_host_ip", "hosts_not_scanned_excluded_host_netbios", "hosts_not_scanned_host_not_alive_ip",
        "hosts_not_scanned_host_not_alive_netbios", "hosts_not_scanned_hostname_not_found_ip", "hosts_not_scanned_hostname_not_found_netbios",
        "hosts_not_scanned_scan_discontinued_ip", "hosts_not_scanned_scan_discontinued_netbios", "hosts_not_scanned_ip_could_not_be_resolved",
        "hosts_not_scanned_dns_hostname_could_not_be_resolved", "hosts_not_scanned_netbios_could_not_be_resolved",
        "host_not_scanned,_scan_canceled_by_user_ip_", "no_vulnerabilities_match_your_filters_for_these_hosts",
    ];

    /// <summary>The phases of a gate run and the calls each one makes (path prefix, action; null = any action).</summary>
    internal static readonly Dictionary<string, (string Path, string? Action)[]> Phases = new(StringComparer.Ordinal)
    {
        ["connection_check"] = [("/msp/about.php", null), ("/auth", null), ("/qps/rest/portal/version", null)],
        ["ec2_preflight"] = [("/qps/rest/2.0/", null), ("/qps/rest/3.0/", null)],
        ["launch"] = [("/api/2.0/fo/scan/", "launch")],
        ["poll"] = [("/api/2.0/fo/scan/", "list"), ("/api/3.0/fo/scan/", "list")],
        ["fetch"] = [("/api/2.0/fo/scan/", "fetch")],
        ["cancel"] = [("/api/2.0/fo/scan/", "cancel")],
        ["knowledge_base"] = [("/api/2.0/fo/knowledge_base/vuln/", null), ("/api/3.0/fo/knowledge_base/vuln/", null)],
        ["host_detection"] =
        [
            ("/api/2.0/fo/asset/host/vm/detection/", null), ("/api/3.0/fo/asset/host/vm/detection/", null),
            ("/api/4.0/fo/asset/host/vm/detection/", null), ("/api/5.0/fo/asset/host/vm/detection/", null),
        ],
    };

    /// <summary>A phase of the gate (<see cref="Phases"/>): connection_check, ec2_preflight, launch, poll, fetch, cancel,
    /// knowledge_base, host_detection. Combines with <see cref="Path"/> and <see cref="Action"/> when those are set too.</summary>
    public string? Phase { get; set; }

    /// <summary>Path prefix, e.g. <c>/api/2.0/fo/scan/</c>; empty matches every Qualys path.</summary>
    public string Path { get; set; } = "";

    /// <summary>The <c>action</c> parameter to match (launch, list, fetch...); null matches any.</summary>
    public string? Action { get; set; }

    public string Kind { get; set; } = "";

    /// <summary>Call numbers among matching requests; empty = every call (a storm that never ends).</summary>
    public IList<int> Calls { get; set; } = [];

    /// <summary>Delay for <c>slow</c>, and <c>SECONDS_TO_WAIT</c> of <c>conflict_1965</c>, in seconds.</summary>
    public double DelaySeconds { get; set; } = 30;

    /// <summary>Error text for connector_finished_errors and simple_return; the reference for result_other_reference.</summary>
    public string? Message { get; set; }

    /// <summary>Where truncated_body, cut_body, reset_mid_body, stall_body, malformed_body and gzip_truncated cut
    /// the body (bytes from its start); null = half of it.</summary>
    public long? ByteOffset { get; set; }

    /// <summary>The Content-Type wrong_content_type sends (default <c>text/plain;charset=UTF-8</c>).</summary>
    public string? ContentType { get; set; }

    /// <summary>The SIMPLE_RETURN code of simple_return (qualys-api.md §2.4).</summary>
    public string? Code { get; set; }

    /// <summary>Overrides the HTTP status of simple_return.</summary>
    public int? Status { get; set; }

    /// <summary>The STATE of scan_state (any text, unknown ones included) or the summary status of result_status.</summary>
    public string? State { get; set; }

    /// <summary>The SUB_STATE of scan_state.</summary>
    public string? SubState { get; set; }

    /// <summary>The appendix key of result_not_scanned (one of <see cref="NotScannedKeys"/>).</summary>
    public string? Key { get; set; }

    /// <summary>The row field(s) of result_missing_field (comma-separated, default qid), result_duplicate_key (default
    /// severity) and result_invalid_utf8 (default threat).</summary>
    public string? Field { get; set; }

    internal int Seen;

    internal void Validate(string source)
    {
        var name = $"{source}: faults[{Kind}]";
        if (!Kinds.Contains(Kind, StringComparer.Ordinal))
        {
            throw new ScenarioException($"{source}: faults: invalid kind '{Kind}' (expected one of {string.Join(", ", Kinds)})");
        }

        if (Phase is not null && !Phases.ContainsKey(Phase))
        {
            throw new ScenarioException($"{name}.phase: invalid value '{Phase}' (expected one of {string.Join(", ", Phases.Keys)})");
        }

        if (Calls.Any(c => c < 1))
        {
            throw new ScenarioException($"{name}.calls: call numbers start at 1");
        }

        if (DelaySeconds < 0)
        {
            throw new ScenarioException($"{name}.delay_seconds: must not be negative");
        }

        if (ByteOffset < 0)
        {
            throw new ScenarioException($"{name}.byte_offset: must not be negative");
        }

        if (Status is < 100 or > 599)
        {
            throw new ScenarioException($"{name}.status: invalid HTTP status {Status}");
        }

        switch (Kind)
        {
            case "simple_return" when !ErrorCodes.TryGet(Code, out _):
                throw new ScenarioException(Code == "1980"
                    ? $"{name}.code: 1980 is a truncation WARNING inside a list, not an error answer (use truncation_limit)"
                    : $"{name}.code: invalid value '{Code}' (expected one of {string.Join(", ", ErrorCodes.Codes)})");
            case "scan_state" when State is null && SubState is null:
                throw new ScenarioException($"{name}: give state and/or sub_state");
            case "result_status" when string.IsNullOrEmpty(State):
                throw new ScenarioException($"{name}.state: required (the summary status to show, e.g. Canceled, Error, Running)");
            case "result_not_scanned" when !NotScannedKeys.Contains(Key, StringComparer.Ordinal):
                throw new ScenarioException($"{name}.key: invalid value '{Key}' (expected one of {string.Join(", ", NotScannedKeys)})");
        }
    }

    internal bool Matches(string path, string? action)
    {
        if (Phase is not null && !Phases[Phase].Any(p => path.StartsWith(p.Path, StringComparison.OrdinalIgnoreCase)
                && (p.Action is null || string.Equals(p.Action, action, StringComparison.OrdinalIgnoreCase))))
        {
            return false;
        }

        return path.StartsWith(Path, StringComparison.OrdinalIgnoreCase)
            && (Action is null || string.Equals(Action, action, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Counts a matching call and says whether this call number is faulted.</summary>
    internal bool Hit()
    {
        Seen++;
        return Calls.Count == 0 || Calls.Contains(Seen);
    }

    internal FaultRule Clone() => new()
    {
        Phase = Phase, Path = Path, Action = Action, Kind = Kind, Calls = [.. Calls], DelaySeconds = DelaySeconds, Message = Message,
        ByteOffset = ByteOffset, ContentType = ContentType, Code = Code, Status = Status, State = State, SubState = SubState, Key = Key,
        Field = Field,
    };
}
