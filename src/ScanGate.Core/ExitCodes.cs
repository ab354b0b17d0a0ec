namespace ScanGate;

/// <summary>
/// Every way out of the tool. This table is a contract: CI pipelines branch on these numbers.
/// </summary>
public static class ExitCodes
{
    /// <summary>The gate passed (also a warn verdict without --warn-exit-code).</summary>
    public const int Pass = 0;

    /// <summary>A fail rule of the policy matched.</summary>
    public const int PolicyFail = 1;

    /// <summary>Bad usage or configuration, or an input file that is not a complete result.</summary>
    public const int Usage = 2;

    /// <summary>Qualys API, connection or authentication error (after retries).</summary>
    public const int ApiError = 3;

    /// <summary>The scan gave no judgeable result: Error, Canceled, or host down when that fails.</summary>
    public const int NoResult = 4;

    /// <summary>The scan did not finish within --timeout (the scan is cancelled unless --leave-running).</summary>
    public const int Timeout = 5;

    /// <summary>An unexpected fault in ScanGate itself (a bug): never a pass, never mistaken for a policy fail (EX_SOFTWARE).</summary>
    public const int InternalError = 70;

    /// <summary>Interrupted by SIGINT (Ctrl-C).</summary>
    public const int Interrupted = 130;

    /// <summary>Terminated by SIGTERM.</summary>
    public const int Terminated = 143;
}
