using System.Runtime.InteropServices;
using ScanGate.Chaos.Tests.FakeQualys;

namespace ScanGate.Chaos.Tests;

/// <summary>One fake Qualys per test class (cases of a class run one after another).</summary>
public sealed class FakeQualysFixture : IAsyncLifetime
{
    internal FakeQualysServer Server { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Server = await FakeQualysServer.StartAsync();

    public async ValueTask DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>Runs one case against the fake Qualys and checks everything a case must hold.</summary>
internal static class FakeQualysCase
{
    private static readonly DateTimeOffset Start = new(2026, 11, 28, 10, 0, 0, TimeSpan.Zero);

    public static string[] Arguments(FakeQualysServer server, Phase phase) =>
    [
        "scan", "--api-url", server.BaseUrl.ToString(), "--username", FakeQualysServer.Username,
        .. phase == Phase.Ec2
            ? new[] { "--ec2-instance", FakeQualysServer.InstanceId, "--ec2-connector", FakeQualysServer.Connector, "--run-connector" }
            : ["--host", "10.0.0.5", "--network-id", FakeQualysServer.NetworkId],
        "--scanner", FakeQualysServer.Scanner, "--option-profile", FakeQualysServer.OptionProfile,
        "--poll-interval", "10s", "--timeout", $"{(int)ChaosMatrix.Timeout.TotalSeconds}s",
        "--fail-on-severity", "5", "--report", "json", "--output-dir", "out",
    ];

    public static async Task RunAsync(FakeQualysServer server, string name, Phase phase, Fault? fault, (string State, string? SubState) scanState, string? resultBody, IReadOnlyList<int> exitCodes, bool cancelSent)
    {
        var clock = new ChaosClock(Start);
        Action<PosixSignal>? raise = null;
        server.Begin(new FakeScript
        {
            FaultPhase = fault is null ? null : phase,
            Fault = fault,
            ScanState = scanState,
            ResultBody = resultBody,
            Clock = clock,
            Raise = signal => raise?.Invoke(signal),
        });

        var run = await ChaosRunner.RunAsync(clock, FakeQualysServer.Password, r => raise = r, Arguments(server, phase));
        try
        {
            var requests = server.Requests;
            ChaosRunner.AssertHolds(name, run, exitCodes, ChaosMatrix.Timeout, FakeQualysServer.Password, requests.Select(r => r.PathAndQuery));
            var cancels = requests.Where(r => r.Phase == Phase.Cancel).ToList();
            var launched = server.Scans.Select(s => s.Reference).ToList();
            if (cancelSent)
            {
                cancels.ShouldNotBeEmpty(run.Log);
                cancels.ShouldAllBe(c => launched.Contains(c.Form["scan_ref"], StringComparer.Ordinal), run.Log);
            }
            else
            {
                cancels.ShouldBeEmpty(run.Log);
            }

            AssertNoScanLeftBehind(run, launched, cancels.Select(c => c.Form["scan_ref"]).ToList());
        }
        finally
        {
            ChaosRunner.CleanUp(run);
        }
    }

    /// <summary>
    /// Every scan the run created is cancelled, or is the scan whose ending the result records (never one launched twice
    /// by one run), or the run said it could not learn its reference (a launch that never answered).
    /// </summary>
    private static void AssertNoScanLeftBehind(ChaosRun run, List<string> launched, List<string> cancelled)
    {
        launched.Count.ShouldBeLessThanOrEqualTo(1, run.Log);
        if (launched.Count == 0 || cancelled.Contains(launched[0], StringComparer.Ordinal))
        {
            return;
        }

        using var document = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(run.OutputDirectory, "scangate-result.json")));
        var scan = document.RootElement.GetProperty("scan");
        var reference = scan.GetProperty("ref").GetString();
        if (reference is null)
        {
            run.Stderr.ShouldContain("may exist in Qualys", Case.Sensitive, run.Log);
            return;
        }

        reference.ShouldBe(launched[0], run.Log);
        string[] ended = ["Finished", "finished", "Error", "Canceled", "Cancelled"];
        ended.Contains(scan.GetProperty("state").GetString(), StringComparer.Ordinal).ShouldBeTrue(run.Log);
    }

    public static Task RunFaultAsync(FakeQualysServer server, string name)
    {
        var (phase, fault) = ChaosMatrix.FaultCases[name];
        var expected = ChaosExpectation.For(phase, fault);

        // The cancel phase is reached by a scan that never finishes: the deadline comes, then the cancel meets the fault.
        var state = phase == Phase.Cancel ? ("Running", (string?)null) : ("Finished", null);
        return RunAsync(server, name, phase, fault, state, null, expected.ExitCodes, expected.CancelSent);
    }
}

public sealed class ConnectionChaosTests(FakeQualysFixture fixture) : IClassFixture<FakeQualysFixture>
{
    public static TheoryData<string> Cases => [.. ChaosMatrix.FaultCaseNames(Phase.Connection)];

    [Theory]
    [MemberData(nameof(Cases))]
    public Task Scan_FaultAtTheConnectionCheck_EndsAsExpected(string name) => FakeQualysCase.RunFaultAsync(fixture.Server, name);
}

public sealed class Ec2ChaosTests(FakeQualysFixture fixture) : IClassFixture<FakeQualysFixture>
{
    public static TheoryData<string> Cases => [.. ChaosMatrix.FaultCaseNames(Phase.Ec2)];

    [Theory]
    [MemberData(nameof(Cases))]
    public Task Scan_FaultInTheEc2PreFlight_EndsAsExpected(string name) => FakeQualysCase.RunFaultAsync(fixture.Server, name);
}

public sealed class NamesChaosTests(FakeQualysFixture fixture) : IClassFixture<FakeQualysFixture>
{
    public static TheoryData<string> Cases => [.. ChaosMatrix.FaultCaseNames(Phase.Names)];

    [Theory]
    [MemberData(nameof(Cases))]
    public Task Scan_FaultInTheNameCheck_EndsAsExpected(string name) => FakeQualysCase.RunFaultAsync(fixture.Server, name);
}

public sealed class LaunchChaosTests(FakeQualysFixture fixture) : IClassFixture<FakeQualysFixture>
{
    public static TheoryData<string> Cases => [.. ChaosMatrix.FaultCaseNames(Phase.Launch)];

    [Theory]
    [MemberData(nameof(Cases))]
    public Task Scan_FaultAtLaunch_EndsAsExpected(string name) => FakeQualysCase.RunFaultAsync(fixture.Server, name);
}

public sealed class PollChaosTests(FakeQualysFixture fixture) : IClassFixture<FakeQualysFixture>
{
    public static TheoryData<string> Cases => [.. ChaosMatrix.FaultCaseNames(Phase.Poll)];

    [Theory]
    [MemberData(nameof(Cases))]
    public Task Scan_FaultWhilePolling_EndsAsExpected(string name) => FakeQualysCase.RunFaultAsync(fixture.Server, name);
}

public sealed class FetchChaosTests(FakeQualysFixture fixture) : IClassFixture<FakeQualysFixture>
{
    public static TheoryData<string> Cases => [.. ChaosMatrix.FaultCaseNames(Phase.Fetch)];

    [Theory]
    [MemberData(nameof(Cases))]
    public Task Scan_FaultAtFetch_EndsAsExpected(string name) => FakeQualysCase.RunFaultAsync(fixture.Server, name);
}

public sealed class CancelChaosTests(FakeQualysFixture fixture) : IClassFixture<FakeQualysFixture>
{
    public static TheoryData<string> Cases => [.. ChaosMatrix.FaultCaseNames(Phase.Cancel)];

    [Theory]
    [MemberData(nameof(Cases))]
    public Task Scan_FaultAtTheCancelAfterATimeout_StillEndsOnTime(string name) => FakeQualysCase.RunFaultAsync(fixture.Server, name);
}

public sealed class ScanStateChaosTests(FakeQualysFixture fixture) : IClassFixture<FakeQualysFixture>
{
    public static TheoryData<int> Cases => [.. Enumerable.Range(0, ChaosMatrix.ScanStates.Count)];

    [Theory]
    [MemberData(nameof(Cases))]
    public Task Scan_EveryScanState_EndsAsExpected(int index)
    {
        var state = ChaosMatrix.ScanStates[index];
        return FakeQualysCase.RunAsync(fixture.Server, $"state {state.State}/{state.SubState}", Phase.Poll, fault: null, (state.State, state.SubState), null,
            [state.ExitCode], state.CancelSent);
    }
}

public sealed class ResultShapeChaosTests(FakeQualysFixture fixture) : IClassFixture<FakeQualysFixture>
{
    /// <summary>Bodies that are no result at all, then the incomplete-result shapes (added after the model/results merge).</summary>
    private static readonly IReadOnlyList<ResultShape> Shapes =
    [
        new("not an array (null)", "null", ScanGate.ExitCodes.ApiError),
        new("text after the array", "[{\"scan_report_template_title\":\"Scan Results\"}]\n[]", ScanGate.ExitCodes.ApiError),
        new("an element cut in the middle", "[{\"scan_report_template_title\":\"Scan Results\"},{\"reference\":\"scan/1\",\"sta", ScanGate.ExitCodes.ApiError),
        .. ChaosMatrix.IncompleteResultShapes,
    ];

    public static TheoryData<int> Cases => [.. Enumerable.Range(0, Shapes.Count)];

    [Theory]
    [MemberData(nameof(Cases))]
    public Task Scan_ResultThatIsNotACompleteResult_IsNeverJudged(int index)
    {
        var shape = Shapes[index];
        return FakeQualysCase.RunAsync(fixture.Server, $"shape {shape.Name}", Phase.Fetch, fault: null, ("Finished", null), shape.Body, [shape.ExitCode], cancelSent: false);
    }
}
