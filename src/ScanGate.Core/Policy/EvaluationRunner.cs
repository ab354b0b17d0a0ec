using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using ScanGate.Infrastructure;
using ScanGate.Results;

namespace ScanGate.Policy;

/// <summary>Where the judged result came from (<c>source</c> in scangate-result.json).</summary>
/// <param name="Kind"><c>file</c>, <c>scan</c>, <c>scan_ref</c> or <c>stdin</c>.</param>
/// <param name="Path">The file or reference judged; null for stdin.</param>
public sealed record ResultSource(string Kind, string? Path);

/// <summary>Scan lifecycle fields the <c>scan</c> command knows and the result file does not; null = take from the result or leave null.</summary>
public sealed record ScanOverlay
{
    public string? Ref { get; init; }

    public string? Id { get; init; }

    public string? Title { get; init; }

    public string? Target { get; init; }

    public string? State { get; init; }

    public string? SubState { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    public double? ElapsedSeconds { get; init; }

    public int? ApiCalls { get; init; }
}

public sealed record ResultWriterOptions
{
    /// <summary>Directory for scangate-result.json and evaluationResult.json; created when missing.</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>Supplies <c>generated_at</c> and the date exceptions are judged against.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    public ResultSource Source { get; init; } = new("file", null);

    public ScanOverlay? Scan { get; init; }

    /// <summary>Also write the plugin-compatible <c>evaluationResult.json</c>.</summary>
    public bool WriteEvaluationResult { get; init; } = true;
}

public sealed record EvaluationOutcome
{
    public required Verdict Verdict { get; init; }

    public required int ExitCode { get; init; }

    public required string ResultPath { get; init; }

    public string? EvaluationResultPath { get; init; }

    public required EvaluationSummary Summary { get; init; }

    public required long FindingsWritten { get; init; }

    /// <summary>The <c>scan</c> object as written (keys of docs/result-schema.md).</summary>
    public required IReadOnlyDictionary<string, string?> Scan { get; init; }

    /// <summary>The plugin's <c>evaluationResult</c> object (original-plugin.md §6.4), for the <c>qualys_&lt;ref&gt;.json</c> artifact.</summary>
    public required string PluginEvaluationResultJson { get; init; }
}

/// <summary>
/// Streams a <c>json_extended</c> result through the policy and writes <c>scangate-result.json</c> (findings last) and
/// <c>evaluationResult.json</c>. Memory stays flat: rows are judged one at a time and findings spool to a temp file.
/// </summary>
public static class EvaluationRunner
{
    public const string ResultFileName = "scangate-result.json";
    public const string PluginResultFileName = "evaluationResult.json";

    /// <summary>Judges the result. Throws <see cref="ScanResultFormatException"/> (exit 2) when the result is incomplete or unjudgeable.</summary>
    public static async Task<EvaluationOutcome> RunAsync(Stream resultStream, EffectivePolicy policy, ResultWriterOptions output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(resultStream);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(output);

        var outputDirectory = Path.GetFullPath(output.OutputDirectory);
        Directory.CreateDirectory(outputDirectory);
        var resultPath = Path.Combine(outputDirectory, ResultFileName);
        var pluginPath = Path.Combine(outputDirectory, PluginResultFileName);

        // A stale result from an earlier run must never be mistaken for this run's verdict.
        File.Delete(resultPath);
        File.Delete(pluginPath);

        var now = output.Time.GetUtcNow();
        var evaluator = new PolicyEvaluator(policy, DateOnly.FromDateTime(now.UtcDateTime));
        Dictionary<string, string?>? summaryFields = null;
        var notScanned = new List<string>();

        var temporary = resultPath + ".partial";
        using var spool = new FindingsSpool(temporary);
        var elements = Channel.CreateBounded<ElementBatch>(new BoundedChannelOptions(8) { SingleReader = true, SingleWriter = true });

        // Two stages on two cores: the reader parses while this thread judges and spools the previous batch.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var producer = Task.Run(() => ReadAllAsync(resultStream, elements.Writer, stop.Token), stop.Token);
        try
        {
            var gen0Limiter = new Gen0Limiter();
            await foreach (var batch in elements.Reader.ReadAllAsync(stop.Token))
            {
                gen0Limiter.Check();
                for (var i = 0; i < batch.Count; i++)
                {
                    var element = batch.Items[i];
                    switch (element.Kind)
                    {
                        case ScanResultElementKind.Detection:
                            FindingEvaluation finding;
                            try
                            {
                                finding = evaluator.Evaluate(element.Detection!);
                            }
                            catch (DetectionValueException e)
                            {
                                throw new ScanResultFormatException(
                                    string.Create(CultureInfo.InvariantCulture, $"Result element {element.Index} (byte {element.BytePosition}): {e.Message}"),
                                    element.BytePosition, element.Index, e);
                            }

                            if (finding.Type != FindingType.InformationGathered)
                            {
                                spool.Write(finding);
                            }

                            break;
                        case ScanResultElementKind.Summary:
                            summaryFields = new Dictionary<string, string?>(element.Fields!, StringComparer.Ordinal);
                            break;
                        case ScanResultElementKind.Appendix:
                            foreach (var (key, value) in element.Fields!)
                            {
                                if ((key.StartsWith("hosts_not_scanned", StringComparison.Ordinal) || key.StartsWith("host_not_scanned", StringComparison.Ordinal))
                                    && !string.IsNullOrWhiteSpace(value))
                                {
                                    notScanned.Add($"{key}: {value}");
                                }
                            }

                            break;
                        case ScanResultElementKind.Header:
                        default:
                            break;
                    }
                }
            }
        }
        catch
        {
            await stop.CancelAsync();
            await Task.WhenAny(producer);
            throw;
        }

        // Surfaces the reader's ScanResultFormatException (truncated, malformed) after the channel completed with it.
        await producer;

        foreach (var entry in notScanned)
        {
            evaluator.AddWarning("Hosts not scanned (" + entry + ").");
        }

        if (summaryFields?.GetValueOrDefault("status") is { } status && !string.Equals(status.Trim(), "Finished", StringComparison.OrdinalIgnoreCase))
        {
            evaluator.AddWarning($"The scan status in the result is \"{status}\", not Finished: the result may be incomplete.");
        }

        var summary = evaluator.Complete();

        // No detection row at all while hosts were not scanned: nothing was judged, so this is not a pass.
        var notJudgeable = summary.Counts.Rows == 0 && notScanned.Count > 0;
        var verdict = notJudgeable ? Verdict.Fail : summary.Verdict;
        var failureReasons = notJudgeable
            ? ["no host was scanned, so there is nothing to judge: " + string.Join("; ", notScanned), .. summary.FailureReasons]
            : summary.FailureReasons;
        var exitCode = verdict switch
        {
            Verdict.Fail when notJudgeable => ExitCodes.NoResult,
            Verdict.Fail => ExitCodes.PolicyFail,
            Verdict.Warn => policy.WarnExitCode ?? ExitCodes.Pass,
            _ => ExitCodes.Pass,
        };

        var scan = ResultDocument.BuildScan(summaryFields, output.Scan);
        var pluginJson = PluginEvaluationResult.ToJson(summary, policy);

        var document = new ResultDocument(now, verdict, exitCode, output.Source, scan, policy, summary, failureReasons);
        try
        {
            await spool.CompleteAsync(document.RenderHead(), cancellationToken);
            spool.Dispose();

            // Rename last so a reader never sees a half-written result.
            File.Move(temporary, resultPath, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }

        string? pluginPathWritten = null;
        if (output.WriteEvaluationResult)
        {
            await File.WriteAllTextAsync(pluginPath, pluginJson + "\n", cancellationToken);
            pluginPathWritten = pluginPath;
        }

        return new EvaluationOutcome
        {
            Verdict = verdict,
            ExitCode = exitCode,
            ResultPath = resultPath,
            EvaluationResultPath = pluginPathWritten,
            Summary = notJudgeable ? WithFailure(summary, failureReasons) : summary,
            FindingsWritten = spool.Count,
            Scan = scan,
            PluginEvaluationResultJson = pluginJson,
        };
    }

    private static async Task ReadAllAsync(Stream stream, ChannelWriter<ElementBatch> writer, CancellationToken cancellationToken)
    {
        Exception? failure = null;
        try
        {
            // Only what the gate judges and scangate-result.json holds is materialised (most of the reading cost).
            await using var reader = new ScanResultReader(stream, leaveOpen: true) { EvaluationFieldsOnly = true, FastParser = true, ParallelParsing = Environment.ProcessorCount > 1 };
            var batch = new ElementBatch();
            while (await reader.ReadAsync(cancellationToken))
            {
                batch.Items[batch.Count++] = new Element(reader.Kind, reader.Detection,
                    reader.Kind == ScanResultElementKind.Detection ? null : reader.Fields, reader.ElementIndex, reader.BytePosition);
                if (batch.Count == ElementBatch.Capacity)
                {
                    await writer.WriteAsync(batch, cancellationToken);
                    batch = new ElementBatch();
                }
            }

            if (batch.Count > 0)
            {
                await writer.WriteAsync(batch, cancellationToken);
            }

        }
        catch (Exception e)
        {
            failure = e;
            throw;
        }
        finally
        {
            writer.TryComplete(failure);
        }
    }

    private readonly record struct Element(ScanResultElementKind Kind, Detection? Detection, IReadOnlyDictionary<string, string?>? Fields, long Index, long BytePosition);

    private sealed class ElementBatch
    {
        public const int Capacity = 256;

        public Element[] Items { get; } = new Element[Capacity];

        public int Count { get; set; }
    }

    private static EvaluationSummary WithFailure(EvaluationSummary summary, IReadOnlyList<string> reasons) => new()
    {
        Verdict = Verdict.Fail,
        Criteria = summary.Criteria,
        WarnCriteria = summary.WarnCriteria,
        Counts = summary.Counts,
        FailureReasons = reasons,
        WarningReasons = summary.WarningReasons,
        Warnings = summary.Warnings,
        Exceptions = summary.Exceptions,
        WorstFindings = summary.WorstFindings,
        PotentialChecked = summary.PotentialChecked,
        CriteriaConfigured = summary.CriteriaConfigured,
    };

    internal static JsonWriterOptions IndentedOptions => new()
    {
        Encoder = FindingsSpool.CompactOptions.Encoder,
        Indented = true,
    };
}
