using System.CommandLine;

namespace ScanGate.Cli.Commands;

/// <summary><c>scangate emulator</c>. Placeholder until its issue lands.</summary>
internal static class EmulatorCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("emulator", "Not built yet.");
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            await context.Error.WriteLineAsync("scangate emulator: not built yet.").ConfigureAwait(false);
            return ExitCodes.Usage;
        });
        return command;
    }
}
