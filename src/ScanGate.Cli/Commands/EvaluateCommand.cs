using System.CommandLine;
using System.Text;
using ScanGate.Cli.Options;
using ScanGate.Policy;
using ScanGate.Results;

namespace ScanGate.Cli.Commands;

/// <summary><c>scangate evaluate RESULT_FILE</c>: judge a fetched Qualys json_extended result against the policy.</summary>
internal static class EvaluateCommand
{
    public static Command Create(CliContext context)
    {
        var resultFile = new Argument<string>("RESULT_FILE")
        {
            Description = "A Qualys json_extended scan result (or the plugin artifact {\"data\":[...]}); - reads stdin.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var scanRef = new ScanRefEvaluation();
        var outputDir = new Option<string>("--output-dir")
        {
            Description = "Where scangate-result.json and evaluationResult.json are written.",
            HelpName = "DIR",
            DefaultValueFactory = _ => "scangate-out",
        };
        var policyOptions = new PolicyCliOptions();
        var reportOptions = new ReportCliOptions();

        var command = new Command("evaluate", "Judge a fetched Qualys scan result against pass/fail criteria.\n" + ScanGateCli.ExitCodeHelp);
        command.Arguments.Add(resultFile);
        policyOptions.AddTo(command);
        command.Options.Add(outputDir);
        reportOptions.AddTo(command);
        scanRef.AddTo(command);

        command.SetAction(async (parseResult, cancellationToken) =>
        {
            if (reportOptions.Validate(parseResult) is { } reportError)
            {
                await context.Error.WriteLineAsync("scangate evaluate: " + reportError);
                return ExitCodes.Usage;
            }

            var outputDirectory = Path.GetFullPath(parseResult.GetValue(outputDir)!, context.WorkingDirectory);
            if (parseResult.GetValue(scanRef.ScanRef) is not null || parseResult.GetValue(resultFile) is null)
            {
                if (parseResult.GetValue(resultFile) is not null || parseResult.GetValue(scanRef.ScanRef) is null)
                {
                    await context.Error.WriteLineAsync("scangate evaluate: give a RESULT_FILE or --scan-ref REF (exactly one).");
                    return ExitCodes.Usage;
                }

                return await scanRef.RunAsync(context, parseResult, policyOptions, outputDirectory,
                    outcome => outcome.ResultFile is null
                        ? Task.FromResult(outcome.ExitCode)
                        : reportOptions.RenderAsync(parseResult, context, outcome.ResultFile, outputDirectory, outcome.ExitCode, CancellationToken.None),
                    cancellationToken);
            }

            EffectivePolicy policy;
            try
            {
                policy = policyOptions.Build(parseResult, context.WorkingDirectory);
            }
            catch (PolicyConfigurationException e)
            {
                await context.Error.WriteLineAsync("scangate evaluate: configuration error: " + e.Message);
                return ExitCodes.Usage;
            }

            var path = parseResult.GetValue(resultFile)!;
            var output = new ResultWriterOptions
            {
                OutputDirectory = outputDirectory,
                Time = context.Time,
                Source = IsStdin(path) ? new ResultSource("stdin", null) : new ResultSource("file", path),
            };

            try
            {
                await using var input = OpenInput(context, path);
                var outcome = await EvaluationRunner.RunAsync(input, policy, output, cancellationToken);
                await EvaluationSummaryText.WriteAsync(context.Out, outcome, cancellationToken);
                return await reportOptions.RenderAsync(parseResult, context, outcome.ResultPath, outputDirectory, outcome.ExitCode, cancellationToken);
            }
            catch (ScanResultFormatException e)
            {
                await context.Error.WriteLineAsync($"scangate evaluate: {Describe(path)} is not a complete json_extended result: {e.Message}");
                return ExitCodes.Usage;
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                await context.Error.WriteLineAsync($"scangate evaluate: RESULT_FILE \"{path}\" does not exist.");
                return ExitCodes.Usage;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                await context.Error.WriteLineAsync($"scangate evaluate: I/O error: {e.Message}");
                return ExitCodes.Usage;
            }
        });
        return command;
    }

    private static bool IsStdin(string path) => string.Equals(path, "-", StringComparison.Ordinal);

    private static string Describe(string path) => IsStdin(path) ? "stdin" : $"\"{path}\"";

    private static Stream OpenInput(CliContext context, string path)
    {
        if (!IsStdin(path))
        {
            return new FileStream(Path.GetFullPath(path, context.WorkingDirectory), FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16,
                FileOptions.SequentialScan | FileOptions.Asynchronous);
        }

        // The real stdin is streamed as bytes; an injected reader (tests) is small and read whole.
        return ReferenceEquals(context.In, Console.In)
            ? Console.OpenStandardInput()
            : new MemoryStream(Encoding.UTF8.GetBytes(context.In.ReadToEnd()));
    }
}
