using Microsoft.Extensions.Time.Testing;
using ScanGate.Infrastructure;
using Spectre.Console.Testing;

namespace ScanGate.Cli.Tests;

/// <summary>Runs the CLI in-process with captured output and injected environment and time.</summary>
internal sealed class CliTestHost
{
    public DictionaryEnvironment Environment { get; } = new();

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 28, 10, 0, 0, TimeSpan.Zero));

    public StringWriter Out { get; } = new();

    public StringWriter Error { get; } = new();

    public TestConsole Console { get; } = new();

    public string WorkingDirectory { get; init; } = Directory.CreateTempSubdirectory("scangate-cli-").FullName;

    public Func<HttpMessageHandler>? HttpHandlerFactory { get; init; }

    public TextReader In { get; init; } = new StringReader(string.Empty);

    public CliContext CreateContext() => new()
    {
        Environment = Environment,
        Time = Time,
        Out = Out,
        Error = Error,
        In = In,
        Console = Console,
        IsInteractive = false,
        WorkingDirectory = WorkingDirectory,
        HttpHandlerFactory = HttpHandlerFactory,
    };

    public Task<int> RunAsync(params string[] args) =>
        ScanGateCli.RunAsync(args, CreateContext(), TestContext.Current.CancellationToken);
}
