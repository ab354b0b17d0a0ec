using System.CommandLine;

namespace ScanGate.Cli.Commands;

/// <summary><c>scangate demo</c>. Placeholder until its issue lands.</summary>
internal static class DemoCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("demo", "Not built yet.");
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            await context.Error.WriteLineAsync("scangate demo: not built yet.").ConfigureAwait(false);
            return ExitCodes.Usage;
        });
        return command;
    }
}
