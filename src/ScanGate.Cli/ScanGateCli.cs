using System.CommandLine;
using ScanGate.Cli.Commands;

namespace ScanGate.Cli;

/// <summary>Builds the <c>scangate</c> command tree. Each command lives in its own file under Commands/.</summary>
public static class ScanGateCli
{
    public const string ExitCodeHelp =
        "Exit codes: 0 pass (or warn), 1 policy fail, 2 usage or configuration error, 3 Qualys API/connection/authentication error, " +
        "4 no judgeable result (scan Error, Canceled, host down), 5 timeout, 70 internal error, 130 interrupted (SIGINT), 143 terminated (SIGTERM).";

    public static RootCommand BuildRootCommand(CliContext context)
    {
        var root = new RootCommand("ScanGate: gate CI builds on Qualys VM host scans.\n" + ExitCodeHelp);
        root.Subcommands.Add(ScanCommand.Create(context));
        root.Subcommands.Add(EvaluateCommand.Create(context));
        root.Subcommands.Add(ReportCommand.Create(context));
        root.Subcommands.Add(DemoCommand.Create(context));
        root.Subcommands.Add(EmulatorCommand.Create(context));
        root.Subcommands.Add(TestConnectionCommand.Create(context));
        root.Subcommands.Add(ListCommand.Create(context));
        root.Subcommands.Add(PipelineCommand.Create(context));
        root.Subcommands.Add(InitCommand.Create(context));
        return root;
    }

    public static async Task<int> RunAsync(string[] args, CliContext context, CancellationToken cancellationToken = default)
    {
        var root = BuildRootCommand(context);
        var parseResult = root.Parse(args);
        // Commands that run long (scan, emulator) register their own SIGINT/SIGTERM handlers, so a signal cancels the
        // remote scan and exits 130/143; System.CommandLine's handler would take SIGTERM first and exit 130.
        var configuration = new InvocationConfiguration
        {
            Output = context.Out,
            Error = context.Error,
            ProcessTerminationTimeout = null,
            EnableDefaultExceptionHandler = false,
        };
        int exitCode;
        try
        {
            exitCode = await parseResult.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // A fault of ours must not read as a policy verdict (System.CommandLine would exit 1, "policy fail").
            await context.Error.WriteLineAsync(
                $"scangate: internal error ({e.GetType().Name}): {e.Message}\nThis is a bug in ScanGate {ToolInfo.Version}; the result is not a pass. Please report it with this trace:\n{e.StackTrace}").ConfigureAwait(false);
            return ExitCodes.InternalError;
        }

        // System.CommandLine reports parse errors with exit code 1; ours is 2 for every usage error.
        return parseResult.Errors.Count > 0 && exitCode == 1 ? ExitCodes.Usage : exitCode;
    }
}
