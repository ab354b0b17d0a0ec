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
}
