using System.Text;
using ScanGate.Infrastructure;

namespace ScanGate.Reports;

/// <summary>How reports are rendered. Every member has a safe default.</summary>
public sealed class ReportOptions
{
    /// <summary>
    /// The repository file SARIF results point at (host findings have no source file; GitHub code scanning needs one).
    /// Callers pass the config or pipeline file; default <see cref="DefaultSarifTarget"/>.
    /// </summary>
    public string? SarifTargetFile { get; init; }

    public const string DefaultSarifTarget = "scangate.yml";

    /// <summary>The CI environment: read for GITHUB_STEP_SUMMARY and TF_BUILD. Null: no CI summary publishing.</summary>
    public IEnvironment? Environment { get; init; }

    /// <summary>
    /// Publish the Markdown summary to the CI job page when running in GitHub Actions (appended to
    /// GITHUB_STEP_SUMMARY) or Azure Pipelines (<c>##vso[task.uploadsummary]</c>), even when markdown is not among
    /// the formats. Default true.
    /// </summary>
    public bool PublishCiSummary { get; init; } = true;

    /// <summary>Environment variable that, set to <c>false</c>, stops the CLI publishing the job summary.</summary>
    public const string CiSummaryVariable = "SCANGATE_CI_SUMMARY";

    /// <summary>
    /// The caller has just written the result file itself (complete by construction: written whole, then renamed into
    /// place), so the validating pass over every finding is skipped. Default false: a file from elsewhere is checked
    /// before any report is written.
    /// </summary>
    public bool ResultFileJustWritten { get; init; }
}

/// <summary>One written report file.</summary>
public sealed record RenderedReport(ReportFormat Format, string Path);

/// <summary>What <see cref="ReportRenderer.RenderAsync"/> did: files written and lines the caller must print to stdout.</summary>
public sealed record ReportRenderResult(IReadOnlyList<RenderedReport> Files, IReadOnlyList<string> ConsoleLines);

/// <summary>
/// Renders the report formats from a saved <c>scangate-result.json</c>. The scan and evaluate commands call it after
/// writing the result; <c>scangate report</c> calls it to re-render. Each file is written to a temporary name and
/// moved into place, so a failure never leaves a half-written report behind.
/// </summary>
public static class ReportRenderer
{
    public static async Task<ReportRenderResult> RenderAsync(
        string resultJsonPath,
        IReadOnlyCollection<ReportFormat> formats,
        string outputDirectory,
        ReportOptions options,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(resultJsonPath);
        ArgumentNullException.ThrowIfNull(formats);
        ArgumentNullException.ThrowIfNull(outputDirectory);
        ArgumentNullException.ThrowIfNull(options);

        // Validate the whole file once before writing anything: a truncated result must not produce any report.
        if (!options.ResultFileJustWritten)
        {
            await ValidateAsync(resultJsonPath, cancellationToken).ConfigureAwait(false);
        }

        Directory.CreateDirectory(outputDirectory);
        var files = new List<RenderedReport>();
        var lines = new List<string>();
        var sarifTarget = SarifTarget(options);

        foreach (var format in formats)
        {
            var path = Path.GetFullPath(Path.Combine(outputDirectory, ReportFormats.FileName(format)));
            switch (format)
            {
                case ReportFormat.Json:
                    if (!string.Equals(Path.GetFullPath(resultJsonPath), path, StringComparison.Ordinal))
                    {
                        await WriteAtomicallyAsync(path, async s =>
                        {
                            var source = new FileStream(resultJsonPath, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.SequentialScan);
                            await using (source.ConfigureAwait(false))
                            {
                                await source.CopyToAsync(s, cancellationToken).ConfigureAwait(false);
                            }
                        }).ConfigureAwait(false);
                    }

                    break;
                case ReportFormat.Html:
                    await WriteAtomicallyAsync(path, s => HtmlReportWriter.WriteAsync(resultJsonPath, s, cancellationToken)).ConfigureAwait(false);
                    break;
                case ReportFormat.JUnit:
                    await WriteAtomicallyAsync(path, s => JUnitReportWriter.WriteAsync(resultJsonPath, s, cancellationToken)).ConfigureAwait(false);
                    break;
                case ReportFormat.Sarif:
                    await WriteAtomicallyAsync(path, s => SarifReportWriter.WriteAsync(resultJsonPath, s, sarifTarget, cancellationToken)).ConfigureAwait(false);
                    break;
                case ReportFormat.Markdown:
                    await WriteMarkdownAsync(resultJsonPath, path, cancellationToken).ConfigureAwait(false);
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(formats), format, "Unknown report format.");
            }

            files.Add(new RenderedReport(format, path));
        }

        if (options.PublishCiSummary && options.Environment is { } env)
        {
            await PublishSummaryAsync(resultJsonPath, outputDirectory, formats, env, files, lines, cancellationToken).ConfigureAwait(false);
        }

        return new ReportRenderResult(files, lines);
    }

    private static async Task ValidateAsync(string resultJsonPath, CancellationToken cancellationToken)
    {
        using var check = await ResultFileReader.OpenAsync(resultJsonPath, cancellationToken).ConfigureAwait(false);
        foreach (var _ in check.ReadFindings(cancellationToken))
        {
        }
    }

    /// <summary>
    /// The SARIF location must be repository-relative for code scanning: an absolute path under the CI workspace
    /// (GITHUB_WORKSPACE, CI_PROJECT_DIR, BUILD_SOURCESDIRECTORY, WORKSPACE) is made relative to it.
    /// </summary>
    internal static string SarifTarget(ReportOptions options)
    {
        var target = string.IsNullOrWhiteSpace(options.SarifTargetFile) ? ReportOptions.DefaultSarifTarget : options.SarifTargetFile.Trim();
        if (!Path.IsPathRooted(target) || options.Environment is not { } env)
        {
            return target;
        }

        foreach (var name in new[] { "GITHUB_WORKSPACE", "CI_PROJECT_DIR", "BUILD_SOURCESDIRECTORY", "WORKSPACE" })
        {
            if (env.GetVariable(name) is { Length: > 0 } root)
            {
                var relative = Path.GetRelativePath(Path.GetFullPath(root), Path.GetFullPath(target));
                if (!relative.StartsWith("..", StringComparison.Ordinal) && !Path.IsPathRooted(relative))
                {
                    return relative;
                }
            }
        }

        return target;
    }

    private static async Task PublishSummaryAsync(
        string resultJsonPath,
        string outputDirectory,
        IReadOnlyCollection<ReportFormat> formats,
        IEnvironment env,
        List<RenderedReport> files,
        List<string> lines,
        CancellationToken cancellationToken)
    {
        var stepSummary = env.GetVariable("GITHUB_STEP_SUMMARY");
        var azure = string.Equals(env.GetVariable("TF_BUILD"), "True", StringComparison.OrdinalIgnoreCase);
        if (string.IsNullOrWhiteSpace(stepSummary) && !azure)
        {
            return;
        }

        var markdownPath = Path.GetFullPath(Path.Combine(outputDirectory, ReportFormats.FileName(ReportFormat.Markdown)));
        if (!formats.Contains(ReportFormat.Markdown))
        {
            await WriteMarkdownAsync(resultJsonPath, markdownPath, cancellationToken).ConfigureAwait(false);
            files.Add(new RenderedReport(ReportFormat.Markdown, markdownPath));
        }

        if (!string.IsNullOrWhiteSpace(stepSummary))
        {
            var text = await File.ReadAllTextAsync(markdownPath, cancellationToken).ConfigureAwait(false);
            await File.AppendAllTextAsync(stepSummary, text + "\n", new UTF8Encoding(false), cancellationToken).ConfigureAwait(false);
        }

        if (azure)
        {
            // The logging command is read from stdout by the agent; the path is ours (no scanner text in it).
            lines.Add("##vso[task.uploadsummary]" + markdownPath);
        }
    }

    private static Task WriteMarkdownAsync(string resultJsonPath, string path, CancellationToken cancellationToken) =>
        WriteAtomicallyAsync(path, async s =>
        {
            var writer = new StreamWriter(s, new UTF8Encoding(false), 16 * 1024, leaveOpen: true) { NewLine = "\n" };
            await using (writer.ConfigureAwait(false))
            {
                await MarkdownReportWriter.WriteAsync(resultJsonPath, writer, cancellationToken).ConfigureAwait(false);
            }
        });

    private static async Task WriteAtomicallyAsync(string path, Func<Stream, Task> write)
    {
        var temp = path + ".tmp";
        try
        {
            var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024);
            await using (stream.ConfigureAwait(false))
            {
                await write(stream).ConfigureAwait(false);
            }

            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }
}
