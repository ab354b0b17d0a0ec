using System.CommandLine;

namespace ScanGate.Cli.Commands;

/// <summary><c>scangate list</c>. Placeholder until its issue lands.</summary>
internal static class ListCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("list", "Not built yet.");
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            await context.Error.WriteLineAsync("scangate list: not built yet.").ConfigureAwait(false);
            return ExitCodes.Usage;
        });
        return command;
    }
}
