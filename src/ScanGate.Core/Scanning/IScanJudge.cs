namespace ScanGate.Scanning;

/// <summary>
/// Judges a fetched result against the policy and writes <c>scangate-result.json</c> (with the lifecycle keys of the
/// scan record). Built before the scan is launched, so a bad policy never costs a scan.
/// </summary>
public interface IScanJudge
{
    /// <summary>
    /// Reads the result at <paramref name="resultPath"/> (streaming). Throws
    /// <see cref="ScanGate.Results.ScanResultFormatException"/> when it is not a complete result.
    /// </summary>
    Task<JudgeResult> JudgeAsync(string resultPath, ScanRecord scan, string outputDirectory, CancellationToken cancellationToken);
}

/// <param name="ExitCode">0 pass (or warn), 1 fail, or the configured warn exit code.</param>
/// <param name="Verdict"><c>pass</c>, <c>fail</c> or <c>warn</c>.</param>
/// <param name="Reasons">Failing (or warning) criteria, one line each.</param>
/// <param name="EvaluationResultJson">The plugin's <c>evaluationResult</c> object as JSON text.</param>
/// <param name="ResultFile">Path of the <c>scangate-result.json</c> written.</param>
public sealed record JudgeResult(int ExitCode, string Verdict, IReadOnlyList<string> Reasons, string EvaluationResultJson, string ResultFile)
{
    /// <summary>A short human summary of the verdict (failing criteria, worst findings), when the judge has one.</summary>
    public string? SummaryText { get; init; }
}
