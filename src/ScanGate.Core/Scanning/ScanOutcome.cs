namespace ScanGate.Scanning;

/// <summary>How a scan run ended.</summary>
public enum ScanEndKind
{
    /// <summary>Judged: the verdict decides (pass, warn or fail).</summary>
    Judged,

    /// <summary>The scan finished with No_Host (host not alive).</summary>
    HostDown,

    /// <summary>The scan ended in Error or Canceled, or the target could not be scanned.</summary>
    NoResult,

    /// <summary>The scan did not finish within the timeout.</summary>
    Timeout,

    /// <summary>SIGINT or SIGTERM.</summary>
    Interrupted,

    /// <summary>A Qualys API, connection or authentication failure.</summary>
    ApiError,

    /// <summary>Bad configuration found while running (e.g. an unknown connector name).</summary>
    Configuration,
}

/// <summary>The end of a scan run: exit code, verdict, a one-line message and what is known about the scan.</summary>
public sealed record ScanOutcome(ScanEndKind Kind, int ExitCode, string Verdict, string Message, ScanRecord Scan)
{
    /// <summary>Reasons the policy gave (failing or warning criteria), when judged.</summary>
    public IReadOnlyList<string> Reasons { get; init; } = [];

    /// <summary>The judge's human summary (failing criteria, worst findings), when judged.</summary>
    public string? SummaryText { get; init; }

    /// <summary>Path of <c>scangate-result.json</c>, when written.</summary>
    public string? ResultFile { get; init; }
}
