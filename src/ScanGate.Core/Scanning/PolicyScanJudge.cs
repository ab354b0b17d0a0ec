using ScanGate.Policy;

namespace ScanGate.Scanning;

/// <summary>Judges a fetched result with the policy engine, which writes <c>scangate-result.json</c> with the scan's lifecycle keys.</summary>
public sealed class PolicyScanJudge(EffectivePolicy policy, TimeProvider time) : IScanJudge
{
    public async Task<JudgeResult> JudgeAsync(string resultPath, ScanRecord scan, string outputDirectory, CancellationToken cancellationToken)
    {
        await using var input = new FileStream(resultPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan | FileOptions.Asynchronous);
        var outcome = await EvaluationRunner.RunAsync(input, policy, new ResultWriterOptions
        {
            OutputDirectory = outputDirectory,
            Time = time,
            Source = new ResultSource(scan.SourceKind, scan.Reference),
            Scan = new ScanOverlay
            {
                Ref = scan.Reference,
                Id = scan.Id,
                Title = scan.Title,
                Target = scan.Target,
                State = scan.State,
                SubState = scan.SubState,
                StartedAt = scan.StartedAt,
                FinishedAt = scan.FinishedAt,
                ElapsedSeconds = scan.ElapsedSeconds,
                ApiCalls = scan.ApiCalls,
            },
            // The plugin's evaluationResult goes into qualys_<ref>.json, as the plugin's artifact had it.
            WriteEvaluationResult = false,
        }, cancellationToken);
        var reasons = outcome.Verdict == Verdict.Warn ? outcome.Summary.WarningReasons : outcome.Summary.FailureReasons;
        return new JudgeResult(outcome.ExitCode, ResultDocument.VerdictName(outcome.Verdict), [.. reasons, .. outcome.Summary.Warnings], outcome.PluginEvaluationResultJson, outcome.ResultPath)
        {
            SummaryText = EvaluationSummaryText.Render(outcome),
        };
    }
}
