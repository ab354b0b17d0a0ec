using System.CommandLine;

namespace ScanGate.Cli.Commands;

/// <summary><c>scangate pipeline</c>. Placeholder until its issue lands.</summary>
internal static class PipelineCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("pipeline", "Not built yet.");
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            await context.Error.WriteLineAsync("scangate pipeline: not built yet.").ConfigureAwait(false);
            return ExitCodes.Usage;
        });
        return command;
    }
}
