using System.CommandLine;

namespace ScanGate.Cli.Commands;

/// <summary><c>scangate init</c>. Placeholder until its issue lands.</summary>
internal static class InitCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("init", "Not built yet.");
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            await context.Error.WriteLineAsync("scangate init: not built yet.").ConfigureAwait(false);
            return ExitCodes.Usage;
        });
        return command;
    }
}
