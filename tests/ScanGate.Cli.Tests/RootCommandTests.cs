namespace ScanGate.Cli.Tests;

public sealed class RootCommandTests
{
    [Fact]
    public async Task Help_ListsTheExitCodes()
    {
        var host = new CliTestHost();

        var exitCode = await host.RunAsync("--help");

        exitCode.ShouldBe(0);
        host.Out.ToString().ShouldContain("143 terminated (SIGTERM)");
    }

    [Fact]
    public async Task UnknownOption_IsAUsageError_WithExitCode2()
    {
        var host = new CliTestHost();

        var exitCode = await host.RunAsync("--no-such-option");

        exitCode.ShouldBe(ExitCodes.Usage);
    }

    [Fact]
    public async Task UnexpectedFault_IsInternalError70_NeverAPolicyVerdict()
    {
        var host = new CliTestHost { In = new FailingReader() };

        var exitCode = await host.RunAsync("evaluate", "-", "--fail-on-severity", "5");

        exitCode.ShouldBe(ExitCodes.InternalError);
        host.Error.ToString().ShouldContain("internal error (InvalidOperationException): stdin exploded");
        host.Error.ToString().ShouldContain("not a pass");
    }

    /// <summary>A fault no command anticipates.</summary>
    private sealed class FailingReader : TextReader
    {
        public override string ReadToEnd() => throw new InvalidOperationException("stdin exploded");
    }
}
