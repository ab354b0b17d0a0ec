using System.CommandLine;

namespace ScanGate.Cli.Commands;

/// <summary><c>scangate report</c>. Placeholder until its issue lands.</summary>
internal static class ReportCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("report", "Not built yet.");
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            await context.Error.WriteLineAsync("scangate report: not built yet.").ConfigureAwait(false);
            return ExitCodes.Usage;
        });
        return command;
    }
}
