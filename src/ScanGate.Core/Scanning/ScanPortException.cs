namespace ScanGate.Scanning;

/// <summary>What kind of failure a port call ended in; the lifecycle maps every kind to exit code 3.</summary>
public enum ScanPortErrorKind
{
    /// <summary>The API answered with an error (Qualys code and text).</summary>
    Api,

    /// <summary>Credentials refused (or the right credentials on the wrong platform).</summary>
    Authentication,

    /// <summary>The platform could not be reached (DNS, TLS, proxy, connection refused, timeouts).</summary>
    Connection,

    /// <summary>A launch whose response was lost: the scan may or may not exist.</summary>
    LaunchOutcomeUnknown,

    /// <summary>The response could not be understood (malformed, truncated).</summary>
    InvalidResponse,
}

/// <summary>A failed Qualys operation, with a plain hint about the likely cause. Never carries a secret.</summary>
public sealed class ScanPortException : ScanGateException
{
    public ScanPortException(ScanPortErrorKind kind, string message, string? hint = null, Exception? inner = null)
        : base(message, inner)
    {
        Kind = kind;
        Hint = hint;
    }

    public ScanPortException()
        : base("Qualys operation failed.")
    {
    }

    public ScanPortException(string message)
        : base(message)
    {
    }

    public ScanPortException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public override Outcome Outcome => Outcome.ApiError;

    public ScanPortErrorKind Kind { get; }

    /// <summary>A sentence naming the likely cause (credentials, platform, proxy, ...), or null.</summary>
    public string? Hint { get; }

    public string Describe() => Hint is null ? Message : $"{Message} ({Hint})";
}
