using System.CommandLine;
using ScanGate.Configuration;

namespace ScanGate.Cli.Tests;

/// <summary>
/// Parse errors are answered in one place (<see cref="ScanGateCli.RunAsync"/>) for every command: exit 2, one line
/// per mistake saying what to type instead, never a page of help and never an echoed value.
/// </summary>
public sealed class ParseErrorTests
{
    /// <summary>Every command that runs (the leaves of the tree), as the words that reach it.</summary>
    public static TheoryData<string> Commands()
    {
        var data = new TheoryData<string>();
        foreach (var path in Leaves(ScanGateCli.BuildRootCommand(new CliTestHost().CreateContext()), []))
        {
            data.Add(path);
        }

        return data;
    }

    private static IEnumerable<string> Leaves(Command command, List<string> path)
    {
        foreach (var sub in command.Subcommands)
        {
            List<string> subPath = [.. path, sub.Name];
            if (sub.Subcommands.Count == 0)
            {
                yield return string.Join(' ', subPath);
            }

            foreach (var leaf in Leaves(sub, subPath))
            {
                yield return leaf;
            }
        }
    }

    private static async Task<(int ExitCode, string Error)> Run(params string[] args)
    {
        var host = new CliTestHost();
        var exitCode = await host.RunAsync(args);
        host.Out.ToString().ShouldBeEmpty("a usage error prints nothing on stdout");
        return (exitCode, host.Error.ToString());
    }

    [Fact]
    public async Task Scan_MistypedFlagAfterHost_IsTheUnknownOptionItIsNotAnAddress()
    {
        var (exitCode, error) = await Run("scan", "--platform", "US1", "--host", "192.0.2.10", "--fail-on-cve", "CVE-2021-44228");

        exitCode.ShouldBe(ExitCodes.Usage);
        error.ShouldStartWith("scangate scan: unknown option '--fail-on-cve'; did you mean --fail-on-cves?\n");
        error.ShouldNotContain("IPv4");
        error.ShouldNotContain("Usage:", customMessage: "no page of help buries the message");
    }

    [Fact]
    public async Task Scan_FlagWithoutItsValue_SaysTheValueIsMissingNotThatTheNextFlagIsOne()
    {
        var (exitCode, error) = await Run("scan", "--platform", "US1", "--poll-interval", "--timeout", "5m");

        exitCode.ShouldBe(ExitCodes.Usage);
        error.ShouldStartWith("scangate scan: --poll-interval: a value is missing ('--timeout' is an option, not a value).\n");
    }

    [Fact]
    public async Task Scan_ValueAttachedWithEquals_IsNeverAnOptionLikeWord()
    {
        var (exitCode, error) = await Run("scan", "--platform", "US1", "--host=--fail-on-pci");

        exitCode.ShouldBe(ExitCodes.Usage);
        error.ShouldContain("'--fail-on-pci' is an option, not a value");
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task AnyCommand_PasswordFlag_GetsTheNoPasswordFlagText(string command)
    {
        foreach (var password in new[] { new[] { "--password", "hunter2" }, ["--password=hunter2"] })
        {
            var (exitCode, error) = await Run([.. command.Split(' '), .. password]);

            exitCode.ShouldBe(ExitCodes.Usage, error);
            error.ShouldStartWith($"scangate {command}: --password: {ScanConfiguration.NoPasswordFlag}; {ScanConfiguration.PasswordSources}.\n");
            error.ShouldNotContain("hunter2", customMessage: "the value of a password flag is never echoed");
            error.ShouldNotContain("Unrecognized");
        }
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task AnyCommand_UnknownOption_IsExit2WithTheHelpHint(string command)
    {
        var (exitCode, error) = await Run([.. command.Split(' '), "--no-such-option=secret"]);

        exitCode.ShouldBe(ExitCodes.Usage);
        error.ShouldStartWith($"scangate {command}: unknown option '--no-such-option'");
        error.ShouldEndWith($"Run 'scangate {command} --help' for the options.\n");
        error.ShouldNotContain("secret");
    }

    [Theory]
    [InlineData("evaluate --fail-on-cve CVE-2021-44228", "unknown option '--fail-on-cve'; did you mean --fail-on-cves?")]
    [InlineData("pipeline github --hots 10.0.0.5", "unknown option '--hots'; did you mean --host?")]
    [InlineData("report r.json --fromat html", "unknown option '--fromat'; did you mean --format?")]
    [InlineData("list scanners --network-i 1", "unknown option '--network-i'; did you mean --network-id?")]
    [InlineData("test-connection --platfrom US1", "unknown option '--platfrom'; did you mean --platform?")]
    [InlineData("demo --Host 192.0.2.10", "unknown option '--Host'; did you mean --host?")]
    [InlineData("emulator --prot 1", "unknown option '--prot'; did you mean --port?")]
    [InlineData("init --fil x.yml", "unknown option '--fil'; did you mean --file?")]
    [InlineData("scan --user alice", "unknown option '--user': 'scan' calls it --username.")]
    [InlineData("scan --format sarif", "unknown option '--format': 'scan' calls it --report.")]
    [InlineData("report r.json --report sarif", "unknown option '--report': 'report' calls it --format.")]
    [InlineData("scna", "unknown command 'scna'; did you mean scan?")]
    [InlineData("list scannerz", "unknown command 'scannerz'; did you mean scanners?")]
    public async Task Mistake_GetsTheClosestNameOfThatCommand(string commandLine, string message)
    {
        var (exitCode, error) = await Run(commandLine.Split(' '));

        exitCode.ShouldBe(ExitCodes.Usage);
        error.Split('\n')[0].ShouldEndWith(": " + message);
        error.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length.ShouldBe(2, error);
    }

    [Fact]
    public async Task ValueAfterDoubleDash_MayStartWithDashes()
    {
        var (exitCode, error) = await Run("evaluate", "--", "--odd-name.json");

        exitCode.ShouldBe(ExitCodes.Usage);
        error.ShouldContain("--odd-name.json\" does not exist");
        error.ShouldNotContain("unknown option");
    }
}
