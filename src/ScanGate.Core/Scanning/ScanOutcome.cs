using ScanGate.Policy;

namespace ScanGate.Scanning;

/// <summary>
/// The end of a scan run: which ending it was (<see cref="ScanGate.Outcome"/>), the exit code, the verdict, a
/// one-line message and what is known about the scan. Only outcomes that <see cref="OutcomeNames.HasVerdict"/>
/// carry a judged verdict; every other ending has <see cref="Verdict.Fail"/> and is "no verdict" to the user.
/// </summary>
public sealed record ScanOutcome(Outcome Outcome, int ExitCode, Verdict Verdict, string Message, ScanRecord Scan)
{
    /// <summary>Reasons the policy gave (failing or warning criteria), when judged.</summary>
    public IReadOnlyList<string> Reasons { get; init; } = [];

    /// <summary>The judge's human summary (failing criteria, worst findings), when judged.</summary>
    public string? SummaryText { get; init; }

    /// <summary>Path of <c>scangate-result.json</c>, when written.</summary>
    public string? ResultFile { get; init; }
}
