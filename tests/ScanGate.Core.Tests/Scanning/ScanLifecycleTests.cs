using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using ScanGate.Policy;
using ScanGate.Qualys;
using ScanGate.Scanning;

namespace ScanGate.Core.Tests.Scanning;

public sealed class ScanLifecycleTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 10, 0, 0, TimeSpan.Zero));
    private readonly FakeScanPort _port = new();
    private readonly SeverityJudge _judge = new();
    private readonly RecordingObserver _observer = new();
    private readonly string _output = Directory.CreateTempSubdirectory("scangate-lifecycle-").FullName;
    private readonly List<TimeSpan> _waits = [];

    public void Dispose() => Directory.Delete(_output, recursive: true);

    private ScanLifecycle Lifecycle(Func<int?>? interruptExitCode = null) =>
        new(_port, _judge, _time, _observer, (delay, ct) =>
        {
            ct.ThrowIfCancellationRequested();
            _waits.Add(delay);
            _time.Advance(delay);
            return Task.CompletedTask;
        })
        { InterruptExitCode = interruptExitCode ?? (() => ExitCodes.Interrupted) };

    private ScanRequest HostRequest(Action<ScanRequestBuilder>? configure = null)
    {
        var builder = new ScanRequestBuilder { Output = _output };
        configure?.Invoke(builder);
        return builder.Build();
    }

    private void Script(params QualysScan?[] statuses)
    {
        foreach (var status in statuses)
        {
            _port.Statuses.Enqueue(status);
        }
    }

    private static QualysScan S(string state, string? subState = null) => Records.Scan(state, subState);

    private JsonElement ResultJson() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(_output, ScanResultFile.FileName))).RootElement;

    [Fact]
    public async Task RunAsync_FinishedWithoutFailingFindings_PassesAndWritesThePluginArtifact()
    {
        Script(S("Queued"), S("Running"), S("Finished", "No_Vuln"));
        _port.ResultJson = SampleResults.Clean;

        var outcome = await Lifecycle().RunAsync(HostRequest(), TestContext.Current.CancellationToken);

        outcome.ExitCode.ShouldBe(ExitCodes.Pass);
        outcome.Verdict.ShouldBe(Verdict.Pass);
        // The option profile is checked against the live list before launching (one call, counted).
        _port.Calls.ShouldBe(["test-connection", "option-profiles", "launch", "list", "list", "list", "fetch"]);
        outcome.Scan.ApiCalls.ShouldBe(7);
        outcome.Scan.Reference.ShouldBe("scan/1764324000.10000");
        outcome.Scan.State.ShouldBe("Finished");
        outcome.Scan.SubState.ShouldBe("No_Vuln");
        outcome.Scan.ElapsedSeconds.ShouldBe(360);
        var artifact = Path.Combine(_output, "qualys_scan_1764324000.10000.json");
        using var document = JsonDocument.Parse(File.ReadAllText(artifact));
        document.RootElement.GetProperty("data").GetArrayLength().ShouldBe(3);
        document.RootElement.GetProperty("evaluationResult").GetProperty("evaluationStatus").GetString().ShouldBe("pass");
        File.Exists(artifact + ".download").ShouldBeFalse();
    }

    [Fact]
    public async Task RunAsync_FailingFindings_ExitsOneWithTheJudgesReasons()
    {
        Script(S("Running"), S("Finished"));

        var outcome = await Lifecycle().RunAsync(HostRequest(), TestContext.Current.CancellationToken);

        outcome.ExitCode.ShouldBe(ExitCodes.PolicyFail);
        outcome.Verdict.ShouldBe(Verdict.Fail);
        outcome.Reasons.ShouldHaveSingleItem().ShouldContain("severity");
        _judge.JudgedScan!.ApiCalls.ShouldBe(6);
    }

    [Fact]
    public async Task RunAsync_PollsOnTheIntervalWithNoSleepBeforeLaunch()
    {
        Script(S("Running"), S("Running"), S("Finished"));

        await Lifecycle().RunAsync(HostRequest(b => b.PollInterval = TimeSpan.FromSeconds(30)), TestContext.Current.CancellationToken);

        // The launch happens at once; then one wait per poll, each the interval.
        _waits.ShouldBe([TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30)]);
    }

    [Theory]
    [InlineData("Error")]
    [InlineData("Canceled")]
    public async Task RunAsync_ScanEndsWithoutResult_ExitsFourAndNeverFetches(string state)
    {
        Script(S("Running"), S(state));

        var outcome = await Lifecycle().RunAsync(HostRequest(), TestContext.Current.CancellationToken);

        outcome.ExitCode.ShouldBe(ExitCodes.NoResult);
        outcome.Outcome.ShouldBe(Outcome.NoResult);
        outcome.Message.ShouldContain(state);
        _port.Calls.ShouldNotContain("fetch");
        var result = ResultJson();
        result.GetProperty("verdict").GetString().ShouldBe("fail");
        result.GetProperty("exit_code").GetInt32().ShouldBe(ExitCodes.NoResult);
        result.GetProperty("scan").GetProperty("state").GetString().ShouldBe(state);
        result.GetProperty("scan").GetProperty("api_calls").GetInt32().ShouldBe(5);
    }

    [Theory]
    [InlineData(HostDownAction.Fail, ExitCodes.NoResult, "fail", Outcome.NoResult)]
    [InlineData(HostDownAction.Warn, ExitCodes.Pass, "warn", Outcome.Warn)]
    [InlineData(HostDownAction.Pass, ExitCodes.Pass, "pass", Outcome.Pass)]
    public async Task RunAsync_HostDown_FollowsOnHostDown(HostDownAction action, int exitCode, string verdict, Outcome ending)
    {
        Script(S("Running"), S("Finished", "No_Host"));

        var outcome = await Lifecycle().RunAsync(HostRequest(b => b.OnHostDown = action), TestContext.Current.CancellationToken);

        outcome.ExitCode.ShouldBe(exitCode);
        ResultDocument.VerdictName(outcome.Verdict).ShouldBe(verdict);
        outcome.Outcome.ShouldBe(ending);
        outcome.Message.ShouldContain("not alive");
        var result = ResultJson();
        result.GetProperty("verdict").GetString().ShouldBe(verdict);
        result.GetProperty("scan").GetProperty("sub_state").GetString().ShouldBe("No_Host");
    }

    [Fact]
    public async Task RunAsync_Timeout_CancelsTheScanAndExitsFive()
    {
        Script(S("Queued"));

        var outcome = await Lifecycle().RunAsync(
            HostRequest(b => { b.PollInterval = TimeSpan.FromMinutes(2); b.Timeout = TimeSpan.FromMinutes(5); }),
            TestContext.Current.CancellationToken);

        outcome.ExitCode.ShouldBe(ExitCodes.Timeout);
        _port.Cancelled.ShouldBe(["scan/1764324000.10000"]);
        outcome.Scan.CancelRequested.ShouldBeTrue();
        // Waits are cut at the deadline: 2m + 2m + 1m, and no poll after it.
        _waits.ShouldBe([TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(1)]);
        ResultJson().GetProperty("exit_code").GetInt32().ShouldBe(ExitCodes.Timeout);
        ResultJson().GetProperty("scan").GetProperty("cancel_requested").GetBoolean().ShouldBeTrue();
    }

    [Fact]
    public async Task RunAsync_TimeoutWithLeaveRunning_DoesNotCancel()
    {
        Script(S("Running"));

        var outcome = await Lifecycle().RunAsync(HostRequest(b => { b.Timeout = TimeSpan.FromMinutes(4); b.LeaveRunning = true; }), TestContext.Current.CancellationToken);

        outcome.ExitCode.ShouldBe(ExitCodes.Timeout);
        _port.Calls.ShouldNotContain("cancel");
        outcome.Message.ShouldContain("left running");
    }

    [Fact]
    public async Task RunAsync_TimeoutAndCancelFails_StillExitsFiveAndSaysSo()
    {
        Script(S("Running"));
        _port.CancelError = new QualysApiException("scan cancel", 500, 999, "Internal error");

        var outcome = await Lifecycle().RunAsync(HostRequest(b => b.Timeout = TimeSpan.FromMinutes(4)), TestContext.Current.CancellationToken);

        outcome.ExitCode.ShouldBe(ExitCodes.Timeout);
        outcome.Message.ShouldContain("cancel it in Qualys");
        _observer.Warnings.ShouldContain(w => w.Contains("Could not cancel"));
    }

    [Theory]
    [InlineData(ExitCodes.Interrupted)]
    [InlineData(ExitCodes.Terminated)]
    public async Task RunAsync_Interrupted_CancelsTheScanAndExitsWithTheSignalCode(int signalExitCode)
    {
        using var interrupt = new CancellationTokenSource();
        Script(S("Running"));
        _port.OnPoll = n => { if (n == 2) { interrupt.Cancel(); } };

        var outcome = await Lifecycle(() => signalExitCode).RunAsync(HostRequest(), interrupt.Token);

        outcome.ExitCode.ShouldBe(signalExitCode);
        outcome.Outcome.ShouldBe(Outcome.Interrupted);
        _port.Cancelled.ShouldBe(["scan/1764324000.10000"]);
        ResultJson().GetProperty("exit_code").GetInt32().ShouldBe(signalExitCode);
        ResultJson().GetProperty("scan").GetProperty("ref").GetString().ShouldBe("scan/1764324000.10000");
    }

    [Fact]
    public async Task RunAsync_SignalIdentifiedWhileCancelling_UsesItsCode()
    {
        // Signal handlers run one after another: ours may record the signal only after the run was cancelled.
        using var interrupt = new CancellationTokenSource();
        int? recorded = null;
        Script(S("Running"));
        _port.OnPoll = n => { if (n == 1) { interrupt.Cancel(); } };
        _port.OnCancel = () => recorded = ExitCodes.Terminated;

        var outcome = await Lifecycle(() => recorded).RunAsync(HostRequest(), interrupt.Token);

        outcome.ExitCode.ShouldBe(ExitCodes.Terminated);
        outcome.Message.ShouldContain("SIGTERM");
    }

    [Fact]
    public async Task RunAsync_SignalNeverIdentified_Exits130AndSaysASignal()
    {
        using var interrupt = new CancellationTokenSource();
        Script(S("Running"));
        _port.OnPoll = n => { if (n == 1) { interrupt.Cancel(); } };

        var outcome = await Lifecycle(() => null).RunAsync(HostRequest(), interrupt.Token);

        outcome.ExitCode.ShouldBe(ExitCodes.Interrupted);
        outcome.Message.ShouldContain("a signal");
        _port.Cancelled.ShouldHaveSingleItem();
    }

    [Fact]
    public async Task RunAsync_PollFailsAfterRetries_ExitsThreeNeverPasses()
    {
        // The plugin passed here: a failed poll after a Running one returned the stale state (§11 item 1).
        Script(S("Running"));
        _port.FailingPoll = 2;

        var outcome = await Lifecycle().RunAsync(HostRequest(), TestContext.Current.CancellationToken);

        outcome.ExitCode.ShouldBe(ExitCodes.ApiError);
        outcome.Verdict.ShouldBe(Verdict.Fail);
        outcome.Message.ShouldContain("503");
        // Giving the scan up cancels it, so it does not hold a concurrency slot.
        outcome.Message.ShouldContain("was cancelled on Qualys");
        _port.Cancelled.ShouldBe(["scan/1764324000.10000"]);
        outcome.Scan.CancelRequested.ShouldBeTrue();
        _port.Calls.ShouldNotContain("fetch");
    }

    [Fact]
    public async Task RunAsync_FetchFails_ExitsThree()
    {
        Script(S("Finished"));
        _port.FetchError = new QualysConnectionException("scan fetch", "qualysapi.qualys.com", QualysConnectionFailure.Reset, "connection reset");

        var outcome = await Lifecycle().RunAsync(HostRequest(), TestContext.Current.CancellationToken);

        outcome.ExitCode.ShouldBe(ExitCodes.ApiError);
        outcome.Message.ShouldContain("Fetching the result");
    }

    [Fact]
    public async Task RunAsync_TruncatedResult_ExitsThreeAndKeepsTheBytesAsIncomplete()
    {
        // The plugin swallowed the parse error and passed (§11 item 2).
        Script(S("Finished"));
        _port.ResultJson = SampleResults.Truncated;

        var outcome = await Lifecycle().RunAsync(HostRequest(), TestContext.Current.CancellationToken);

        outcome.ExitCode.ShouldBe(ExitCodes.ApiError);
        outcome.Verdict.ShouldBe(Verdict.Fail);
        File.Exists(Path.Combine(_output, "qualys_scan_1764324000.10000.json")).ShouldBeFalse();
        File.Exists(Path.Combine(_output, "qualys_scan_1764324000.10000.json.incomplete")).ShouldBeTrue();
    }

    [Fact]
    public async Task RunAsync_ConnectionRefused_ExitsThreeWithTheHintAndLaunchesNothing()
    {
        _port.ConnectionError = new QualysApiException("test connection (about)", 401, 2000, "Bad Login/Password");

        var outcome = await Lifecycle().RunAsync(HostRequest(), TestContext.Current.CancellationToken);

        outcome.ExitCode.ShouldBe(ExitCodes.ApiError);
        outcome.Message.ShouldContain("platform");
        _port.Calls.ShouldBe(["test-connection"]);
    }

    [Fact]
    public async Task RunAsync_LaunchResponseLost_FindsTheScanByTitleAndDoesNotLaunchAgain()
    {
        Script(S("Finished"));
        _port.LoseLaunchResponse = true;

        var outcome = await Lifecycle().RunAsync(HostRequest(), TestContext.Current.CancellationToken);

        outcome.ExitCode.ShouldBe(ExitCodes.PolicyFail);
        _port.Launches.Count.ShouldBe(1);
        _port.Calls.ShouldContain("list-by-title");
        outcome.Scan.Reference.ShouldBe("scan/1764324000.10000");
    }

    [Fact]
    public async Task RunAsync_LaunchResponseLostAndNoSuchScan_ExitsThreeWithoutRelaunching()
    {
        _port.LaunchNeverArrives = true;

        var outcome = await Lifecycle().RunAsync(HostRequest(), TestContext.Current.CancellationToken);

        outcome.ExitCode.ShouldBe(ExitCodes.ApiError);
        _port.Launches.Count.ShouldBe(1);
        outcome.Message.ShouldContain("not launching again");
    }

    [Fact]
    public async Task RunAsync_LaunchRefused_ExitsThreeWithTheApiMessage()
    {
        _port.LaunchError = new QualysApiException("scan launch", 400, 1905, "parameter ip has invalid value: (Empty IP.)");

        var outcome = await Lifecycle().RunAsync(HostRequest(), TestContext.Current.CancellationToken);

        outcome.ExitCode.ShouldBe(ExitCodes.ApiError);
        outcome.Message.ShouldContain("1905");
    }

    [Fact]
    public async Task RunAsync_ScanNotListedYet_KeepsPolling()
    {
        Script(null, S("Running"), S("Finished"));
        _port.ResultJson = SampleResults.Clean;

        var outcome = await Lifecycle().RunAsync(HostRequest(), TestContext.Current.CancellationToken);

        outcome.ExitCode.ShouldBe(ExitCodes.Pass);
        _port.Polls.ShouldBe(3);
    }

    [Fact]
    public async Task RunAsync_HostTarget_SendsAllTheLaunchParameters()
    {
        Script(S("Finished"));

        await Lifecycle().RunAsync(HostRequest(b => { b.Entries = ["10.0.0.1", "10.0.0.5-10.0.0.9"]; b.NetworkId = "7"; b.Scanner = "all-in-network"; }), TestContext.Current.CancellationToken);

        var launch = _port.Launches.ShouldHaveSingleItem();
        launch.Ip.ShouldBe("10.0.0.1,10.0.0.5-10.0.0.9");
        launch.NetworkId.ShouldBe("7");
        launch.ScannersInNetwork.ShouldBeTrue();
        launch.ScannerName.ShouldBeNull();
        launch.OptionProfile.ShouldBe("Initial Options");
        launch.Title.ShouldBe("app_build_42_2026-11-28-10-00-00");
    }

    private sealed class RecordingObserver : IScanObserver
    {
        public List<string> Infos { get; } = [];

        public List<string> Warnings { get; } = [];

        public void Info(string message) => Infos.Add(message);

        public void Warning(string message) => Warnings.Add(message);

        public void Detail(string message)
        {
        }

        public void Status(QualysScan status, TimeSpan sinceLaunch, TimeSpan timeout)
        {
        }
    }
}

internal sealed class ScanRequestBuilder
{
    public required string Output { get; init; }

    public IReadOnlyList<string> Entries { get; set; } = ["192.0.2.10"];

    public string? NetworkId { get; set; }

    public string Scanner { get; set; } = "External";

    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMinutes(2);

    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(60);

    public HostDownAction OnHostDown { get; set; } = HostDownAction.Fail;

    public bool LeaveRunning { get; set; }

    public ScanTarget? Target { get; set; }

    public string OptionProfile { get; set; } = "Initial Options";

    public int? WarnExitCode { get; set; }

    public ScanRequest Build() => new()
    {
        Target = Target ?? new HostTarget(Entries, NetworkId),
        Title = "app_build_42_2026-11-28-10-00-00",
        OptionProfile = OptionProfile,
        WarnExitCode = WarnExitCode,
        Scanner = Scanner,
        PollInterval = PollInterval,
        Timeout = Timeout,
        OnHostDown = OnHostDown,
        LeaveRunning = LeaveRunning,
        OutputDirectory = Output,
    };
}
