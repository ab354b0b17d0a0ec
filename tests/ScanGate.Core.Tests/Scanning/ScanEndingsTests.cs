using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using ScanGate.Policy;
using ScanGate.Qualys;
using ScanGate.Scanning;

namespace ScanGate.Core.Tests.Scanning;

/// <summary>
/// How a run ends when something goes wrong: one deadline bounds it, every abandon after launch cancels the scan,
/// names Qualys knows are checked before launching, and each ending has its outcome. Fake time throughout.
/// </summary>
public sealed class ScanEndingsTests : IDisposable
{
    private static readonly TimeSpan Grace = ScanLifecycle.CancelGrace;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 10, 0, 0, TimeSpan.Zero));
    private readonly FakeScanPort _port = new();
    private readonly string _output = Directory.CreateTempSubdirectory("scangate-endings-").FullName;

    public void Dispose() => Directory.Delete(_output, recursive: true);

    private ScanLifecycle Lifecycle(Func<int?>? interruptExitCode = null) =>
        new(_port, new SeverityJudge(), _time, wait: (delay, ct) =>
        {
            ct.ThrowIfCancellationRequested();
            _time.Advance(delay);
            return Task.CompletedTask;
        })
        { InterruptExitCode = interruptExitCode ?? (() => ExitCodes.Interrupted) };

    private ScanRequest Request(Action<ScanRequestBuilder>? configure = null)
    {
        var builder = new ScanRequestBuilder { Output = _output, PollInterval = TimeSpan.FromSeconds(30), Timeout = TimeSpan.FromMinutes(5) };
        configure?.Invoke(builder);
        return builder.Build();
    }

    private JsonElement ResultJson()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(_output, ScanResultFile.FileName)));
        return document.RootElement.Clone();
    }

    /// <summary>Starts the run, waits until the port hangs, then lets fake time pass.</summary>
    private async Task<ScanOutcome> RunHangingAsync(TimeSpan passes, ScanRequest? request = null)
    {
        var task = Lifecycle().RunAsync(request ?? Request(), TestContext.Current.CancellationToken);
        await _port.Hanging.WaitAsync(TestContext.Current.CancellationToken);
        _time.Advance(passes);
        return await task;
    }

    [Fact]
    public async Task RunAsync_ConnectionCheckHangs_EndsAtTheDeadlineAsTimeoutWithoutAScan()
    {
        _port.HangOn = "test-connection";

        var outcome = await RunHangingAsync(TimeSpan.FromMinutes(5));

        outcome.Outcome.ShouldBe(Outcome.Timeout);
        outcome.ExitCode.ShouldBe(ExitCodes.Timeout);
        outcome.Message.ShouldContain("while checking the connection");
        outcome.Message.ShouldContain("No scan had been launched");
        outcome.Scan.ElapsedSeconds.ShouldBe(300);
        _port.Calls.ShouldNotContain("cancel");
        ResultJson().GetProperty("exit_code").GetInt32().ShouldBe(ExitCodes.Timeout);
    }

    [Fact]
    public async Task RunAsync_PollHangs_EndsAtTheDeadlineAndCancelsTheScan()
    {
        _port.HangOn = "list";

        var outcome = await RunHangingAsync(TimeSpan.FromMinutes(5));

        outcome.Outcome.ShouldBe(Outcome.Timeout);
        // The first poll comes after one 30 s interval; then the hung call is cut at the 5 minute deadline.
        outcome.Scan.ElapsedSeconds.ShouldBe(330);
        _port.Cancelled.ShouldBe(["scan/1764324000.10000"]);
        outcome.Scan.CancelRequested.ShouldBeTrue();
        ResultJson().GetProperty("scan").GetProperty("cancel_requested").GetBoolean().ShouldBeTrue();
    }

    [Fact]
    public async Task RunAsync_FetchHangs_EndsAtTheDeadlineWithNothingToCancel()
    {
        _port.Statuses.Enqueue(Records.Scan("Finished"));
        _port.HangOn = "fetch";

        var outcome = await RunHangingAsync(TimeSpan.FromMinutes(5));

        outcome.Outcome.ShouldBe(Outcome.Timeout);
        outcome.Message.ShouldContain("while fetching the result");
        outcome.Message.ShouldContain("nothing to cancel");
        _port.Calls.ShouldNotContain("cancel");
    }

    [Fact]
    public async Task RunAsync_CancelHangsAfterTheDeadline_GivesUpAfterTheGraceAndSaysSo()
    {
        _port.Statuses.Enqueue(Records.Scan("Running"));
        _port.HangOn = "cancel";

        var outcome = await RunHangingAsync(Grace);

        outcome.Outcome.ShouldBe(Outcome.Timeout);
        outcome.Scan.ElapsedSeconds.ShouldBe((TimeSpan.FromMinutes(5) + Grace).TotalSeconds);
        outcome.Scan.CancelRequested.ShouldBeFalse();
        outcome.Message.ShouldContain("cancel it in Qualys");
        _port.Deadline.ShouldBe(_time.GetUtcNow());
    }

    [Fact]
    public async Task RunAsync_SignalWhileTheLaunchIsInFlight_LetsItFinishAndCancelsTheScan()
    {
        using var interrupt = new CancellationTokenSource();
        _port.OnLaunch = interrupt.Cancel;

        var outcome = await Lifecycle(() => ExitCodes.Terminated).RunAsync(Request(), interrupt.Token);

        outcome.Outcome.ShouldBe(Outcome.Interrupted);
        outcome.ExitCode.ShouldBe(ExitCodes.Terminated);
        outcome.Message.ShouldContain("while launching");
        _port.Cancelled.ShouldBe(["scan/1764324000.10000"]);
        _port.Calls.ShouldNotContain("list");
    }

    [Fact]
    public async Task RunAsync_LaunchHangsAfterASignal_GivesUpAfterTheGraceWithAWarning()
    {
        using var interrupt = new CancellationTokenSource();
        _port.HangOn = "launch";
        var task = Lifecycle().RunAsync(Request(), interrupt.Token);
        await _port.Hanging.WaitAsync(TestContext.Current.CancellationToken);

        await interrupt.CancelAsync();
        _time.Advance(Grace);
        var outcome = await task;

        outcome.Outcome.ShouldBe(Outcome.Interrupted);
        outcome.Scan.ElapsedSeconds.ShouldBe(Grace.TotalSeconds);
        _port.Calls.ShouldNotContain("cancel");
    }

    [Fact]
    public async Task RunAsync_InternalErrorAfterLaunch_CancelsTheScanAndEndsAsInternalError()
    {
        _port.PollFault = new InvalidOperationException("a bug");

        var outcome = await Lifecycle().RunAsync(Request(), TestContext.Current.CancellationToken);

        outcome.Outcome.ShouldBe(Outcome.InternalError);
        outcome.ExitCode.ShouldBe(ExitCodes.InternalError);
        outcome.Message.ShouldContain("InvalidOperationException");
        outcome.Message.ShouldContain("was cancelled on Qualys");
        _port.Cancelled.ShouldHaveSingleItem();
        var result = ResultJson();
        result.GetProperty("exit_code").GetInt32().ShouldBe(ExitCodes.InternalError);
        result.GetProperty("scan").GetProperty("cancel_requested").GetBoolean().ShouldBeTrue();
    }

    [Fact]
    public async Task RunAsync_ApiErrorAfterLaunchWithLeaveRunning_SaysTheScanIsLeftRunning()
    {
        _port.FailingPoll = 1;

        var outcome = await Lifecycle().RunAsync(Request(b => b.LeaveRunning = true), TestContext.Current.CancellationToken);

        outcome.Outcome.ShouldBe(Outcome.ApiError);
        outcome.Message.ShouldContain("left running (--leave-running)");
        _port.Calls.ShouldNotContain("cancel");
    }

    [Fact]
    public async Task RunAsync_FetchFails_ExitsThreeAndSaysThereWasNothingToCancel()
    {
        _port.Statuses.Enqueue(Records.Scan("Finished"));
        _port.FetchError = new QualysResponseFormatException("scan fetch", "the compressed (gzip/deflate) body is corrupt or truncated");

        var outcome = await Lifecycle().RunAsync(Request(), TestContext.Current.CancellationToken);

        outcome.Outcome.ShouldBe(Outcome.ApiError);
        outcome.ExitCode.ShouldBe(ExitCodes.ApiError);
        outcome.Message.ShouldContain("nothing to cancel");
        _port.Calls.ShouldNotContain("cancel");
        ResultJson().GetProperty("exit_code").GetInt32().ShouldBe(ExitCodes.ApiError);
    }

    [Fact]
    public async Task RunAsync_HostDownWarnWithWarnExitCode_ExitsWithTheWarnCode()
    {
        _port.Statuses.Enqueue(Records.Scan("Finished", "No_Host"));

        var outcome = await Lifecycle().RunAsync(Request(b => { b.OnHostDown = HostDownAction.Warn; b.WarnExitCode = 10; }), TestContext.Current.CancellationToken);

        outcome.Outcome.ShouldBe(Outcome.Warn);
        outcome.Verdict.ShouldBe(Verdict.Warn);
        outcome.ExitCode.ShouldBe(10);
        ResultJson().GetProperty("exit_code").GetInt32().ShouldBe(10);
    }

    [Fact]
    public async Task RunAsync_OptionProfileInTheWrongCase_IsAConfigurationErrorNamingTheFlagTheMatchAndTheListCommand()
    {
        var outcome = await Lifecycle().RunAsync(Request(b => b.OptionProfile = "Initial options"), TestContext.Current.CancellationToken);

        outcome.Outcome.ShouldBe(Outcome.UsageError);
        outcome.ExitCode.ShouldBe(ExitCodes.Usage);
        outcome.Message.ShouldContain("--option-profile 'Initial options'");
        outcome.Message.ShouldContain("Did you mean 'Initial Options'?");
        outcome.Message.ShouldContain("scangate list option-profiles");
        _port.Calls.ShouldBe(["test-connection", "option-profiles", "pci-option-profiles"]);
        _port.Launches.ShouldBeEmpty();
    }

    [Fact]
    public async Task RunAsync_PciOptionProfile_IsFoundInThePciList()
    {
        _port.PciOptionProfiles.Add("PCI Options");
        _port.Statuses.Enqueue(Records.Scan("Finished"));

        var outcome = await Lifecycle().RunAsync(Request(b => b.OptionProfile = "PCI Options"), TestContext.Current.CancellationToken);

        outcome.Outcome.ShouldBe(Outcome.PolicyFail);
        _port.Launches.ShouldHaveSingleItem().OptionProfile.ShouldBe("PCI Options");
    }

    [Fact]
    public async Task RunAsync_UnknownScanner_IsAConfigurationErrorWithTheClosestName()
    {
        var outcome = await Lifecycle().RunAsync(Request(b => b.Scanner = "dmz-scaner"), TestContext.Current.CancellationToken);

        outcome.ExitCode.ShouldBe(ExitCodes.Usage);
        outcome.Message.ShouldContain("--scanner 'dmz-scaner'");
        outcome.Message.ShouldContain("'dmz-scanner'");
        outcome.Message.ShouldContain("scangate list scanners");
        _port.Launches.ShouldBeEmpty();
    }

    [Fact]
    public async Task RunAsync_KnownScannerAndNetwork_AreCheckedWithOneListCallEach()
    {
        _port.Statuses.Enqueue(Records.Scan("Finished"));

        await Lifecycle().RunAsync(Request(b => { b.Scanner = "dmz-scanner"; b.NetworkId = "7"; }), TestContext.Current.CancellationToken);

        _port.Calls.Take(5).ShouldBe(["test-connection", "option-profiles", "appliances", "networks", "launch"]);
    }

    [Fact]
    public async Task RunAsync_UnknownNetwork_IsAConfigurationError()
    {
        var outcome = await Lifecycle().RunAsync(Request(b => b.NetworkId = "99"), TestContext.Current.CancellationToken);

        outcome.ExitCode.ShouldBe(ExitCodes.Usage);
        outcome.Message.ShouldContain("--network-id '99'");
        outcome.Message.ShouldContain("scangate list networks");
    }

    [Fact]
    public async Task RunAsync_ListsNotPermittedAndQualysRefusesTheProfile_TheRefusalIsAConfigurationErrorNamingTheFlag()
    {
        _port.CatalogError = new QualysApiException("option profile list (vm)", 403, 2012, "User license is not authorized to run this API");
        _port.LaunchError = new QualysApiException("scan launch", 400, 1905, "parameter option_title has invalid value: Initial options");

        var outcome = await Lifecycle().RunAsync(Request(b => b.OptionProfile = "Initial options"), TestContext.Current.CancellationToken);

        outcome.Outcome.ShouldBe(Outcome.UsageError);
        outcome.Message.ShouldContain("--option-profile 'Initial options'");
        outcome.Message.ShouldContain("scangate list option-profiles");
        outcome.Message.ShouldContain("1905");
        _port.Launches.ShouldHaveSingleItem();
    }

    [Fact]
    public async Task RunAsync_ListFailsWithAnotherError_EndsTheRunBeforeLaunching()
    {
        _port.CatalogError = new QualysApiException("option profile list (vm)", 503, null, "Service Unavailable") { Attempts = 6 };

        var outcome = await Lifecycle().RunAsync(Request(), TestContext.Current.CancellationToken);

        outcome.Outcome.ShouldBe(Outcome.ApiError);
        outcome.Message.ShouldContain("while checking the names Qualys knows");
        _port.Launches.ShouldBeEmpty();
    }

    [Fact]
    public async Task RunAsync_DeadlineIsGivenToThePortSoNoRetryWaitsPastIt()
    {
        _port.Statuses.Enqueue(Records.Scan("Finished"));

        await Lifecycle().RunAsync(Request(), TestContext.Current.CancellationToken);

        _port.Deadline.ShouldBe(new DateTimeOffset(2026, 11, 28, 10, 5, 0, TimeSpan.Zero));
    }

    [Fact]
    public void KnownNames_Closest_PrefersTheSameLettersThenTheFewestEdits()
    {
        KnownNames.Closest("initial options", ["Initial Options", "Initial Options 2", "PCI Options", "Payment Card"]).ShouldBe(["Initial Options", "Initial Options 2"]);
        KnownNames.Closest("dmz-scaner", ["dmz-scanner", "lab-scanner", "External"]).ShouldBe(["dmz-scanner"]);
        KnownNames.Closest("zzzz", ["Initial Options"]).ShouldBeEmpty();
    }
}
