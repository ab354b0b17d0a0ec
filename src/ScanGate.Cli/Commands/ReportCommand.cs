using System.CommandLine;
using ScanGate.Reports;

namespace ScanGate.Cli.Commands;

/// <summary><c>scangate report RESULT_JSON --format ...</c>: re-renders a saved scangate-result.json without rescanning.</summary>
internal static class ReportCommand
{
    public static Command Create(CliContext context)
    {
        var result = new Argument<string>("RESULT_JSON") { Description = "A scangate-result.json written by scan or evaluate." };
        var format = new Option<string>("--format", "-f")
        {
            Description = $"Comma-separated report formats: {ReportFormats.Names}.",
            DefaultValueFactory = _ => ReportFormats.DefaultValue,
        };
        var outputDir = new Option<string?>("--output-dir", "-o") { Description = "Directory for the reports (default: the directory of RESULT_JSON)." };
        var sarifTarget = new Option<string?>("--sarif-target")
        {
            Description = $"Repository file SARIF results point at (host findings have no source file; default {ReportOptions.DefaultSarifTarget}).",
        };

        var command = new Command("report", "Re-render a saved scangate-result.json as HTML, JUnit, SARIF, Markdown or JSON, without rescanning.\n" + ScanGateCli.ExitCodeHelp)
        {
            result,
            format,
            outputDir,
            sarifTarget,
        };

        command.SetAction(async (parseResult, cancellationToken) =>
        {
            IReadOnlyList<ReportFormat> formats;
            try
            {
                formats = ReportFormats.Parse(parseResult.GetValue(format), "--format");
            }
            catch (ReportFormatException e)
            {
                await context.Error.WriteLineAsync("scangate report: " + e.Message).ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            var resultPath = Path.GetFullPath(parseResult.GetValue(result)!, context.WorkingDirectory);
            if (!File.Exists(resultPath))
            {
                await context.Error.WriteLineAsync($"scangate report: RESULT_JSON '{resultPath}' does not exist.").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            var directory = parseResult.GetValue(outputDir) is { Length: > 0 } dir
                ? Path.GetFullPath(dir, context.WorkingDirectory)
                : Path.GetDirectoryName(resultPath)!;
            var options = new ReportOptions
            {
                SarifTargetFile = parseResult.GetValue(sarifTarget),
                Environment = context.Environment,
            };

            try
            {
                var rendered = await ReportRenderer.RenderAsync(resultPath, formats, directory, options, cancellationToken).ConfigureAwait(false);
                foreach (var file in rendered.Files)
                {
                    await context.Error.WriteLineAsync($"Wrote {file.Format.ToString().ToLowerInvariant()} report: {file.Path}").ConfigureAwait(false);
                }

                foreach (var line in rendered.ConsoleLines)
                {
                    await context.Out.WriteLineAsync(line).ConfigureAwait(false);
                }

                return ExitCodes.Pass;
            }
            catch (ResultFileException e)
            {
                await context.Error.WriteLineAsync("scangate report: " + e.Message).ConfigureAwait(false);
                return ExitCodes.Usage;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                await context.Error.WriteLineAsync($"scangate report: cannot write reports to '{directory}': {e.Message}").ConfigureAwait(false);
                return ExitCodes.Usage;
            }
        });
        return command;
    }
}
