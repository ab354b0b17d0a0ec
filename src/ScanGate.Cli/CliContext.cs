using ScanGate.Infrastructure;
using Spectre.Console;

namespace ScanGate.Cli;

/// <summary>
/// Everything a command touches outside its arguments: environment, time, streams, console and HTTP.
/// Tests build one with fakes; <see cref="CreateDefault"/> wires the real process.
/// </summary>
public sealed class CliContext
{
    public required IEnvironment Environment { get; init; }

    public required TimeProvider Time { get; init; }

    /// <summary>Machine-readable and summary output (stdout).</summary>
    public required TextWriter Out { get; init; }

    /// <summary>Logs, progress and errors (stderr).</summary>
    public required TextWriter Error { get; init; }

    public required TextReader In { get; init; }

    /// <summary>The rich console for progress, tables and prompts; tests pass a Spectre TestConsole.</summary>
    public required IAnsiConsole Console { get; init; }

    /// <summary>True when stdout is a terminal (live progress); false in CI logs (plain timestamped lines).</summary>
    public bool IsInteractive { get; init; }

    public required string WorkingDirectory { get; init; }

    /// <summary>When set, every HTTP client the command builds uses this handler (tests, embedded emulator).</summary>
    public Func<HttpMessageHandler>? HttpHandlerFactory { get; init; }

    public static CliContext CreateDefault()
    {
        var interactive = !System.Console.IsOutputRedirected && !System.Console.IsErrorRedirected;
        return new CliContext
        {
            Environment = ProcessEnvironment.Instance,
            Time = TimeProvider.System,
            Out = System.Console.Out,
            Error = System.Console.Error,
            In = System.Console.In,
            Console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(System.Console.Error) }),
            IsInteractive = interactive,
            WorkingDirectory = Directory.GetCurrentDirectory(),
        };
    }
}
