using System.CommandLine;

namespace ScanGate.Cli.Commands;

/// <summary><c>scangate test-connection</c>. Placeholder until its issue lands.</summary>
internal static class TestConnectionCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("test-connection", "Not built yet.");
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            await context.Error.WriteLineAsync("scangate test-connection: not built yet.").ConfigureAwait(false);
            return ExitCodes.Usage;
        });
        return command;
    }
}
