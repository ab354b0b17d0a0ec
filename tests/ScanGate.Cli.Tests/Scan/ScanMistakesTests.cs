using System.Net.Sockets;
using ScanGate.Emulator;

namespace ScanGate.Cli.Tests.Scan;

/// <summary>The usual mistakes and their answers: exact names, bad platforms, hosts that do not resolve, warn codes.</summary>
public sealed class ScanMistakesTests
{
    [Fact]
    public async Task Scan_OptionProfileInTheWrongCase_ExitsTwoNamingTheFlagTheMatchAndTheListCommandWithoutLaunching()
    {
        await using var bed = await ScanTestBed.StartAsync();

        var exitCode = await bed.ScanAsync("--host", "192.0.2.10", "--option-profile", "Initial options");

        exitCode.ShouldBe(ExitCodes.Usage, bed.Log);
        var error = bed.Error.ToString();
        error.ShouldContain("--option-profile 'Initial options'");
        error.ShouldContain("Did you mean 'Initial Options'?");
        error.ShouldContain("scangate list option-profiles");
        bed.ScanCalls("launch").ShouldBeEmpty();
        bed.Result().GetProperty("exit_code").GetInt32().ShouldBe(ExitCodes.Usage);
    }

    [Fact]
    public async Task Scan_UnknownScanner_ExitsTwoWithTheClosestApplianceName()
    {
        await using var bed = await ScanTestBed.StartAsync();

        var exitCode = await bed.ScanAsync("--host", "192.0.2.10", "--scanner", "Demo-Appliance");

        exitCode.ShouldBe(ExitCodes.Usage, bed.Log);
        bed.Error.ToString().ShouldContain("Did you mean 'demo-appliance'?");
        bed.Error.ToString().ShouldContain("scangate list scanners");
        bed.ScanCalls("launch").ShouldBeEmpty();
    }

    [Fact]
    public async Task Scan_HostDownWarnWithWarnExitCode_ExitsWithTheWarnCode()
    {
        await using var bed = await ScanTestBed.StartAsync();

        var exitCode = await bed.ScanAsync("--host", "192.0.2.99", "--on-host-down", "warn", "--warn-exit-code", "10");

        exitCode.ShouldBe(10, bed.Log);
        bed.Result().GetProperty("verdict").GetString().ShouldBe("warn");
        bed.Result().GetProperty("exit_code").GetInt32().ShouldBe(10);
        bed.Out.ToString().ShouldContain("ScanGate verdict: WARN (exit 10)");
    }

    [Fact]
    public async Task Scan_Timeout_SaysNoVerdictInsteadOfFail()
    {
        await using var bed = await ScanTestBed.StartAsync();
        bed.Emulator.State.AddFault(new FaultRule { Path = "/api/2.0/fo/scan/", Action = "launch", Kind = "scan_stuck_queued" });

        var exitCode = await bed.ScanAsync("--host", "192.0.2.10", "--timeout", "2m");

        exitCode.ShouldBe(ExitCodes.Timeout, bed.Log);
        bed.Out.ToString().ShouldContain("ERROR — no verdict: Timeout of 2m reached");
        bed.Out.ToString().ShouldNotContain("verdict: FAIL");
    }

    [Theory]
    [InlineData("--platform", "US9", "--platform: unknown platform 'US9'")]
    [InlineData("--api-url", "http://qualysapi.example.com/", "plain http")]
    public async Task TestConnection_BadPlatform_NamesTheFlagWithoutAnInternalParameterName(string flag, string value, string expected)
    {
        var host = new CliTestHost();
        host.Environment["QUALYS_PASSWORD"] = "s3cr3t";

        var exitCode = await host.RunAsync("test-connection", flag, value, "--username", "acme");

        exitCode.ShouldBe(ExitCodes.Usage);
        host.Error.ToString().ShouldContain(expected);
        host.Error.ToString().ShouldNotContain("(Parameter");
    }

    [Fact]
    public async Task TestConnection_HostNameDoesNotResolve_FailsAtOnceNamingTheHost()
    {
        var handler = new NameResolutionFailure();
        var host = new CliTestHost { HttpHandlerFactory = () => handler };
        host.Environment["QUALYS_PASSWORD"] = "s3cr3t";

        var exitCode = await host.RunAsync("test-connection", "--platform", "EU2", "--username", "acme");

        exitCode.ShouldBe(ExitCodes.ApiError);
        host.Error.ToString().ShouldContain("'gateway.qg2.apps.qualys.eu' does not resolve");
        handler.Requests.ShouldBe(1);
        host.Time.GetUtcNow().ShouldBe(new DateTimeOffset(2026, 11, 28, 10, 0, 0, TimeSpan.Zero));
    }

    private sealed class NameResolutionFailure : HttpMessageHandler
    {
        public int Requests { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests++;
            throw new HttpRequestException(HttpRequestError.NameResolutionError, $"Name or service not known ({request.RequestUri!.Host}:443)", new SocketException((int)SocketError.HostNotFound));
        }
    }
}
