using System.CommandLine;

namespace ScanGate.Cli.Commands;

/// <summary><c>scangate scan</c>. Placeholder until its issue lands.</summary>
internal static class ScanCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("scan", "Not built yet.");
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            await context.Error.WriteLineAsync("scangate scan: not built yet.").ConfigureAwait(false);
            return ExitCodes.Usage;
        });
        return command;
    }
}
