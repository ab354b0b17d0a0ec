using Microsoft.Extensions.Time.Testing;
using ScanGate.Scanning;

namespace ScanGate.Core.Tests.Scanning;

public sealed class Ec2PreflightTests : IDisposable
{
    private const string InstanceId = "i-0123456789abcdef0";
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 10, 0, 0, TimeSpan.Zero));
    private readonly FakeScanPort _port = new();
    private readonly string _output = Directory.CreateTempSubdirectory("scangate-ec2-").FullName;

    public Ec2PreflightTests()
    {
        _port.Connectors.Add(Records.Connector(501, "demo-aws", "123456789012", "FINISHED_SUCCESS"));
        _port.Statuses.Enqueue(Records.Scan("Finished"));
        _port.ResultJson = SampleResults.Clean;
    }

    public void Dispose() => Directory.Delete(_output, recursive: true);

    private Task<ScanOutcome> RunAsync(bool runConnector, string? region = null, TimeSpan? timeout = null) =>
        new ScanLifecycle(_port, new SeverityJudge(), _time, wait: (delay, ct) => { _time.Advance(delay); return Task.CompletedTask; })
            .RunAsync(
                new ScanRequestBuilder { Output = _output, Target = new Ec2Target(InstanceId, "demo-aws", runConnector, region), Timeout = timeout ?? TimeSpan.FromMinutes(60) }.Build(),
                TestContext.Current.CancellationToken);

    [Fact]
    public async Task RunAsync_KnownRunningInstance_LaunchesWithItsRegion()
    {
        _port.Instance = Records.Instance(InstanceId, "RUNNING", "us-east-1");

        var outcome = await RunAsync(runConnector: false);

        outcome.ExitCode.ShouldBe(ExitCodes.Pass);
        var launch = _port.Launches.ShouldHaveSingleItem();
        launch.Ec2InstanceId.ShouldBe(InstanceId);
        launch.ConnectorName.ShouldBe("demo-aws");
        launch.Ec2Endpoint.ShouldBe("us-east-1");
        launch.Ip.ShouldBeNull();
        _port.Calls.ShouldNotContain("connector-run");
    }

    [Theory]
    [InlineData("STOPPED")]
    [InlineData("TERMINATED")]
    [InlineData(null)]
    public async Task RunAsync_InstanceNotRunning_IsRefusedWithoutAScan(string? state)
    {
        // The plugin scanned a stopped instance it already knew (§11 item 11).
        _port.Instance = Records.Instance(InstanceId, state, "us-east-1");

        var outcome = await RunAsync(runConnector: false);

        outcome.ExitCode.ShouldBe(ExitCodes.NoResult);
        outcome.Message.ShouldContain("not RUNNING");
        _port.Launches.ShouldBeEmpty();
    }

    [Fact]
    public async Task RunAsync_UnknownInstanceWithoutConnectorRun_IsAConfigurationError()
    {
        var outcome = await RunAsync(runConnector: false);

        outcome.ExitCode.ShouldBe(ExitCodes.Usage);
        outcome.Message.ShouldContain("--run-connector");
        _port.Launches.ShouldBeEmpty();
    }

    [Fact]
    public async Task RunAsync_UnknownConnector_IsAConfigurationError()
    {
        var lifecycle = new ScanLifecycle(_port, new SeverityJudge(), _time);
        var outcome = await lifecycle.RunAsync(
            new ScanRequestBuilder { Output = _output, Target = new Ec2Target(InstanceId, "nope", false, null) }.Build(),
            TestContext.Current.CancellationToken);

        outcome.ExitCode.ShouldBe(ExitCodes.Usage);
        outcome.Message.ShouldContain("'nope'");
    }

    [Theory]
    [InlineData("FINISHED_SUCCESS")]
    [InlineData("SUCCESS")]
    [InlineData("FINISHED_ERRORS")]
    [InlineData("ERROR")]
    [InlineData("INCOMPLETE")]
    public async Task RunAsync_ConnectorIdle_RunsItPollsItAndRereadsTheInstanceForTheRegion(string idleState)
    {
        _port.ConnectorStates.Enqueue(idleState);
        _port.ConnectorStates.Enqueue("RUNNING");
        _port.ConnectorStates.Enqueue("PROCESSING");
        _port.ConnectorStates.Enqueue("FINISHED_SUCCESS");
        _port.InstanceAfterRun = Records.Instance(InstanceId, "RUNNING", "eu-west-1");

        var outcome = await RunAsync(runConnector: true);

        outcome.ExitCode.ShouldBe(ExitCodes.Pass);
        _port.ConnectorRuns.ShouldBe(1);
        _port.Calls.Take(8).ShouldBe(["test-connection", "connector-search", "connector-get", "connector-run", "connector-get", "connector-get", "connector-get", "instance-search"]);
        _port.Launches.ShouldHaveSingleItem().Ec2Endpoint.ShouldBe("eu-west-1");
    }

    [Theory]
    [InlineData("RUNNING")]
    [InlineData("QUEUED")]
    [InlineData("PENDING")]
    [InlineData("PROCESSING")]
    public async Task RunAsync_ConnectorAlreadyBusy_WaitsForItWithoutStartingAnotherRun(string busyState)
    {
        _port.ConnectorStates.Enqueue(busyState);
        _port.ConnectorStates.Enqueue("FINISHED_SUCCESS");
        _port.Instance = Records.Instance(InstanceId, "RUNNING", "us-east-1");

        var outcome = await RunAsync(runConnector: true);

        outcome.ExitCode.ShouldBe(ExitCodes.Pass);
        _port.ConnectorRuns.ShouldBe(0);
    }

    [Fact]
    public async Task RunAsync_ConnectorDisabled_FailsWithoutRunningIt()
    {
        _port.ConnectorStates.Enqueue("DISABLED");

        var outcome = await RunAsync(runConnector: true);

        outcome.ExitCode.ShouldBe(ExitCodes.ApiError);
        outcome.Message.ShouldContain("DISABLED");
        _port.ConnectorRuns.ShouldBe(0);
        _port.Launches.ShouldBeEmpty();
    }

    [Fact]
    public async Task RunAsync_ConnectorRunEndsInErrors_NoScan()
    {
        _port.ConnectorStates.Enqueue("FINISHED_SUCCESS");
        _port.ConnectorStates.Enqueue("FINISHED_ERRORS");

        var outcome = await RunAsync(runConnector: true);

        outcome.ExitCode.ShouldBe(ExitCodes.ApiError);
        outcome.Message.ShouldContain("FINISHED_ERRORS");
        _port.Launches.ShouldBeEmpty();
    }

    [Fact]
    public async Task RunAsync_ConnectorNeverFinishes_TimesOut()
    {
        _port.ConnectorStates.Enqueue("RUNNING");

        var outcome = await RunAsync(runConnector: true, timeout: TimeSpan.FromMinutes(10));

        outcome.ExitCode.ShouldBe(ExitCodes.Timeout);
        _port.Launches.ShouldBeEmpty();
    }

    [Fact]
    public async Task RunAsync_RegionFlag_OverridesTheInstanceRegion()
    {
        _port.Instance = Records.Instance(InstanceId, "RUNNING", null);

        var outcome = await RunAsync(runConnector: false, region: "ap-south-1");

        outcome.ExitCode.ShouldBe(ExitCodes.Pass);
        _port.Launches.ShouldHaveSingleItem().Ec2Endpoint.ShouldBe("ap-south-1");
    }

    [Fact]
    public async Task RunAsync_NoRegionAnywhere_IsAConfigurationError()
    {
        _port.Instance = Records.Instance(InstanceId, "RUNNING", null);

        var outcome = await RunAsync(runConnector: false);

        outcome.ExitCode.ShouldBe(ExitCodes.Usage);
        outcome.Message.ShouldContain("--ec2-region");
    }
}
