namespace ScanGate.Cli.Tests.Scan;

/// <summary>Configuration errors of <c>scan</c>: exit 2, a message naming the field, nothing launched, no secret shown.</summary>
public sealed class ScanCommandConfigurationTests
{
    private static CliTestHost Host()
    {
        var host = new CliTestHost();
        host.Environment["QUALYS_PASSWORD"] = "top-secret-pw";
        return host;
    }

    [Fact]
    public async Task Scan_PasswordFlag_DoesNotExist()
    {
        var host = Host();

        var exitCode = await host.RunAsync("scan", "--platform", "US1", "--username", "u", "--password", "x", "--host", "192.0.2.10");

        exitCode.ShouldBe(ExitCodes.Usage);
    }

    [Fact]
    public async Task Scan_NoPassword_ExitsTwoAndSaysWhereItComesFrom()
    {
        var host = new CliTestHost();

        var exitCode = await host.RunAsync("scan", "--platform", "US1", "--username", "u", "--host", "192.0.2.10");

        exitCode.ShouldBe(ExitCodes.Usage);
        host.Error.ToString().ShouldContain("QUALYS_PASSWORD");
    }

    [Theory]
    [InlineData("--poll-interval", "5s", "minimum")]
    [InlineData("--timeout", "1.5", "not a duration")]
    [InlineData("--host", "10.0.0.300", "'10.0.0.300'")]
    [InlineData("--on-host-down", "ignore", "fail, warn or pass")]
    [InlineData("--scan-name", "   ", "must not be empty")]
    public async Task Scan_BadValue_ExitsTwoNamingTheFlag(string flag, string value, string problem)
    {
        var host = Host();
        string[] args = flag == "--host"
            ? ["scan", "--platform", "US1", "--username", "u", "--host", value]
            : ["scan", "--platform", "US1", "--username", "u", "--host", "192.0.2.10", flag, value];

        var exitCode = await host.RunAsync(args);

        exitCode.ShouldBe(ExitCodes.Usage);
        var error = host.Error.ToString();
        error.ShouldContain(problem);
        error.ShouldNotContain("top-secret-pw");
    }

    [Fact]
    public async Task Scan_HostAndInstance_IsRefused()
    {
        var host = Host();

        var exitCode = await host.RunAsync("scan", "--platform", "US1", "--username", "u", "--host", "192.0.2.10", "--ec2-instance", "i-0123456789abcdef0", "--ec2-connector", "c");

        exitCode.ShouldBe(ExitCodes.Usage);
        host.Error.ToString().ShouldContain("not both");
    }

    [Fact]
    public async Task Scan_UnknownKeyInConfigFile_ExitsTwo()
    {
        var host = Host();
        await File.WriteAllTextAsync(Path.Combine(host.WorkingDirectory, "scangate.yml"), "platform: US1\nfail_on_sev: 4\n", TestContext.Current.CancellationToken);

        var exitCode = await host.RunAsync("scan", "--username", "u", "--host", "192.0.2.10");

        exitCode.ShouldBe(ExitCodes.Usage);
        host.Error.ToString().ShouldContain("unknown key 'fail_on_sev'");
    }

    [Fact]
    public async Task Scan_Help_ListsTheExitCodesAndNoPasswordFlag()
    {
        var host = Host();

        var exitCode = await host.RunAsync("scan", "--help");

        exitCode.ShouldBe(0);
        var help = host.Out.ToString();
        help.ShouldContain("143 terminated (SIGTERM)");
        help.ShouldContain("--password-stdin");
        help.ShouldNotContain("--password ");
    }
}
