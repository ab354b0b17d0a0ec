namespace ScanGate;

/// <summary>
/// Which ending a run had: the contract key <c>outcome</c> of <c>scangate-result.json</c> (docs/exit-codes.md).
/// Only <see cref="Pass"/>, <see cref="Warn"/> and <see cref="PolicyFail"/> carry a judged verdict; every other
/// outcome is "ERROR — no verdict" in the console and every report.
/// </summary>
public enum Outcome
{
    /// <summary>Judged, and no fail or warn rule matched (exit 0).</summary>
    Pass,

    /// <summary>Judged, and only warn rules matched, or a host-down warn (exit 0, or <c>--warn-exit-code</c>).</summary>
    Warn,

    /// <summary>Judged, and a fail rule matched (exit 1).</summary>
    PolicyFail,

    /// <summary>Qualys produced no judgeable result: the scan ended in Error or Canceled, or a target was not scanned (exit 4).</summary>
    NoResult,

    /// <summary>A Qualys API, connection or authentication error, or a fetched result that is unreadable (exit 3).</summary>
    ApiError,

    /// <summary>The run reached <c>--timeout</c> (exit 5).</summary>
    Timeout,

    /// <summary>SIGINT or SIGTERM (exit 130 or 143).</summary>
    Interrupted,

    /// <summary>A fault in ScanGate itself (exit 70).</summary>
    InternalError,

    /// <summary>Bad usage, configuration or input file (exit 2).</summary>
    UsageError,
}

/// <summary>The contract names and exit codes of <see cref="Outcome"/>, in one place.</summary>
public static class OutcomeNames
{
    /// <summary>The value written as <c>outcome</c>: <c>pass</c>, <c>warn</c>, <c>policy_fail</c>, <c>no_result</c>, ...</summary>
    public static string ToContractName(this Outcome outcome) => outcome switch
    {
        Outcome.Pass => "pass",
        Outcome.Warn => "warn",
        Outcome.PolicyFail => "policy_fail",
        Outcome.NoResult => "no_result",
        Outcome.ApiError => "api_error",
        Outcome.Timeout => "timeout",
        Outcome.Interrupted => "interrupted",
        Outcome.InternalError => "internal_error",
        Outcome.UsageError => "usage_error",
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "Unknown outcome."),
    };

    /// <summary>Parses a contract name (exact, lower case); false for anything else.</summary>
    public static bool TryParse(string? name, out Outcome outcome)
    {
        foreach (var candidate in Enum.GetValues<Outcome>())
        {
            if (string.Equals(candidate.ToContractName(), name, StringComparison.Ordinal))
            {
                outcome = candidate;
                return true;
            }
        }

        outcome = default;
        return false;
    }

    /// <summary>True for the outcomes that carry a judged verdict (pass, warn, policy_fail).</summary>
    public static bool HasVerdict(this Outcome outcome) => outcome is Outcome.Pass or Outcome.Warn or Outcome.PolicyFail;

    /// <summary>
    /// The exit code of an outcome when nothing more specific applies: a warn is 0 unless <c>--warn-exit-code</c>
    /// says otherwise, an interruption is 130 unless it was SIGTERM (143).
    /// </summary>
    public static int DefaultExitCode(this Outcome outcome) => outcome switch
    {
        Outcome.Pass or Outcome.Warn => ExitCodes.Pass,
        Outcome.PolicyFail => ExitCodes.PolicyFail,
        Outcome.NoResult => ExitCodes.NoResult,
        Outcome.ApiError => ExitCodes.ApiError,
        Outcome.Timeout => ExitCodes.Timeout,
        Outcome.Interrupted => ExitCodes.Interrupted,
        Outcome.InternalError => ExitCodes.InternalError,
        Outcome.UsageError => ExitCodes.Usage,
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "Unknown outcome."),
    };
}

/// <summary>
/// Base of every failure a user can meet (bad input, a Qualys error, an unreadable result): it carries the
/// <see cref="Outcome"/> it ends the run with, so the CLI maps exceptions to exit codes in one place. The message
/// names the field and the value and never carries a secret.
/// </summary>
public abstract class ScanGateException : Exception
{
    protected ScanGateException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }

    /// <summary>How the run ends when this exception reaches the top.</summary>
    public abstract Outcome Outcome { get; }

    /// <summary>The exit code; by default the outcome's.</summary>
    public virtual int ExitCode => Outcome.DefaultExitCode();
}
