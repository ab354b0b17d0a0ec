using Microsoft.Extensions.Time.Testing;
using ScanGate.Infrastructure;
using ScanGate.Policy;
using ScanGate.Qualys;
using ScanGate.Scanning;
using Spectre.Console.Testing;

namespace ScanGate.Cli.Tests.Scan;

public sealed class ScanConsoleTests : IDisposable
{
    private readonly StringWriter _out = new();
    private readonly StringWriter _error = new();
    private readonly DictionaryEnvironment _environment = new();

    public void Dispose()
    {
        _out.Dispose();
        _error.Dispose();
    }

    private ScanConsole Console(bool interactive, Verbosity verbosity = Verbosity.Normal) => new(new CliContext
    {
        Environment = _environment,
        Time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 10, 0, 0, TimeSpan.Zero)),
        Out = _out,
        Error = _error,
        In = new StringReader(string.Empty),
        Console = new TestConsole(),
        IsInteractive = interactive,
        WorkingDirectory = Path.GetTempPath(),
    }, verbosity);

    private static ScanOutcome Outcome(string verdict, int exitCode) =>
        new(ScanGate.Outcome.NoResult, exitCode, verdict == "fail" ? Verdict.Fail : Verdict.Pass, "Scan scan/1.2 ended in Error: no result to judge.", new ScanRecord { Title = "t", Target = "192.0.2.10", Reference = "scan/1.2" });

    private static ScanOutcome Judged(Verdict verdict, int exitCode) =>
        new(verdict switch { Verdict.Pass => ScanGate.Outcome.Pass, Verdict.Warn => ScanGate.Outcome.Warn, _ => ScanGate.Outcome.PolicyFail }, exitCode, verdict, "Gate failed.",
            new ScanRecord { Title = "t", Target = "192.0.2.10", Reference = "scan/1.2" });

    private static QualysScan Status(string state) => new() { Ref = "scan/1.2", State = state };

    [Fact]
    public void Status_NotATerminal_WritesPlainTimestampedLines()
    {
        var console = Console(interactive: false);

        console.Info("Launching.");
        console.Status(Status("Running"), TimeSpan.FromMinutes(2), TimeSpan.FromHours(1));

        _error.ToString().ShouldBe("2026-11-28T10:00:00Z Launching.\n2026-11-28T10:00:00Z Scan status: Running, 2m00s since launch (timeout 1h)\n".Replace("\n", Environment.NewLine, StringComparison.Ordinal));
    }

    [Fact]
    public void Status_InATerminal_RewritesOneLiveLineInColour()
    {
        var console = Console(interactive: true);

        console.Status(Status("Queued"), TimeSpan.FromSeconds(30), TimeSpan.FromHours(1));
        console.Status(Status("Running"), TimeSpan.FromMinutes(1), TimeSpan.FromHours(1));
        console.Summary(Outcome("fail", ExitCodes.NoResult));

        var error = _error.ToString();
        error.ShouldContain("\r\u001b[2KScan status: Queued");
        error.ShouldContain("\r\u001b[2KScan status: Running");
        error.ShouldNotContain("Scan status: Queued, 0m30s since launch (timeout 1h)" + Environment.NewLine);
        _out.ToString().ShouldContain("\u001b[31mERROR — no verdict: Scan scan/1.2 ended in Error: no result to judge. (exit 4, outcome no_result)\u001b[0m");
    }

    [Fact]
    public void Summary_NoColor_HasNoEscapeCodes()
    {
        _environment["NO_COLOR"] = "1";
        var console = Console(interactive: true);

        console.Warning("careful");
        console.Summary(Outcome("fail", ExitCodes.NoResult));

        (_out.ToString() + _error.ToString()).ShouldNotContain("\u001b[3");
    }

    [Fact]
    public void Quiet_ShowsOnlyErrorsWarningsAndTheVerdict()
    {
        var console = Console(interactive: false, Verbosity.Quiet);

        console.Info("Launching.");
        console.Detail("GET /api/2.0/fo/scan/");
        console.Status(Status("Running"), TimeSpan.FromMinutes(2), TimeSpan.FromHours(1));
        console.Warning("careful");
        console.Summary(Outcome("fail", ExitCodes.NoResult));

        _error.ToString().ShouldNotContain("Launching");
        _error.ToString().ShouldNotContain("Scan status");
        _error.ToString().ShouldContain("warning: careful");
        _out.ToString().ShouldStartWith("ERROR — no verdict: Scan scan/1.2 ended in Error");
    }

    [Fact]
    public void Verbose_ShowsDetail()
    {
        var console = Console(interactive: false, Verbosity.Verbose);

        console.Detail("connector state RUNNING");

        _error.ToString().ShouldContain("connector state RUNNING");
    }

    [Fact]
    public void Info_ServerTextWithEscapeSequences_IsDefused()
    {
        var console = Console(interactive: false);

        console.Info("Qualys said: \u001b]0;pwned\u0007\u001b[2J done\nnext");

        var error = _error.ToString();
        error.ShouldNotContain("\u001b");
        error.ShouldNotContain("\u0007");
        error.ShouldContain("?]0;pwned??[2J done next");
    }

    [Fact]
    public void Summary_EndingWithoutJudgedResult_SaysNoVerdictNotFail()
    {
        var console = Console(interactive: false);

        console.Summary(Outcome("fail", ExitCodes.NoResult));

        _out.ToString().ShouldStartWith("ERROR — no verdict: ");
        _out.ToString().ShouldNotContain("FAIL");
    }

    [Theory]
    [InlineData(Verdict.Fail, ExitCodes.PolicyFail, "ScanGate verdict: FAIL (exit 1)")]
    [InlineData(Verdict.Warn, 10, "ScanGate verdict: WARN (exit 10)")]
    [InlineData(Verdict.Pass, ExitCodes.Pass, "ScanGate verdict: PASS (exit 0)")]
    public void Summary_JudgedResult_SaysTheVerdict(Verdict verdict, int exitCode, string expected)
    {
        var console = Console(interactive: false);

        console.Summary(Judged(verdict, exitCode));

        _out.ToString().ShouldStartWith(expected);
    }
}
