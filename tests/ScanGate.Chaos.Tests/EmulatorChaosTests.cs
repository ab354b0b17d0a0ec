using System.Runtime.InteropServices;
using ScanGate.Chaos.Tests.FakeQualys;
using ScanGate.Emulator;

namespace ScanGate.Chaos.Tests;

/// <summary>
/// The emulator's own fault injection (docs/emulator.md, Faults) at every phase of a real scan run, on the shared
/// chaos clock: the emulator's scan takes 77 virtual seconds, so these cases run with a 5-minute --timeout.
/// </summary>
public sealed class EmulatorChaosTests
{
    private const string Password = "Emu-Ch4os-Pw-51c2";

    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    /// <summary>Where each phase's requests go (path prefix and action), as the emulator's fault rules match them.</summary>
    private static readonly Dictionary<Phase, (string Path, string? Action)> Targets = new()
    {
        [Phase.Connection] = ("/msp/about.php", null),
        [Phase.Ec2] = ("/qps/rest/", null),
        [Phase.Names] = ("/api/2.0/fo/subscription/option_profile/", null),
        [Phase.Launch] = ("/api/2.0/fo/scan/", "launch"),
        [Phase.Poll] = ("/api/3.0/fo/scan/", "list"),
        [Phase.Fetch] = ("/api/2.0/fo/scan/", "fetch"),
        [Phase.Cancel] = ("/api/2.0/fo/scan/", "cancel"),
    };

    /// <summary>The emulator's fault kinds: how each ends a run and whether the emulator carries the request out first.</summary>
    private static readonly (string Kind, FaultEnding Ending, bool Processes)[] Kinds =
    [
        ("http_500", FaultEnding.Refused, false),
        ("http_502", FaultEnding.Refused, false),
        ("http_503", FaultEnding.Refused, false),
        ("maintenance_1999", FaultEnding.Refused, false),
        ("maintenance_html", FaultEnding.Refused, false),
        ("connection_reset", FaultEnding.Refused, false),
        ("truncated_body", FaultEnding.Refused, true),
        ("malformed_body", FaultEnding.Refused, true),
        ("conflict_1960", FaultEnding.Refused, false),
        ("conflict_1965", FaultEnding.Refused, false),

        // Added by the emulator branch (hang before headers, stall mid-body, truncation at offsets, corrupt gzip …):
        // one line each here once the emulator knows them, e.g. ("hang_before_headers", FaultEnding.Hang, false).
    ];

    /// <summary>What a launched scan does (fault rules on the launch call), and how the run must end.</summary>
    private static readonly (string Fate, int ExitCode, bool CancelSent)[] Fates =
    [
        ("scan_error", ScanGate.ExitCodes.NoResult, false),
        ("scan_canceled", ScanGate.ExitCodes.NoResult, false),
        ("scan_stuck_queued", ScanGate.ExitCodes.Timeout, true),
        ("scan_stuck_paused", ScanGate.ExitCodes.Timeout, true),
        ("lost_launch_response", ScanGate.ExitCodes.PolicyFail, false),
    ];

    private const string Scenario = $"""
        users:
          - username: chaos
            password: "{Password}"
            modules: [VM]
        subscription:
          company: Chaos Ltd
          ips: [192.0.2.0/24]
        timings: {"{"} submitted: 2, queued: 10, running: 60, loading: 5, processing: 5, connector_queued: 5, connector_running: 20, connector_processing: 5 {"}"}
        limits:
          default: {"{"} limit: 100000, window: 3600, concurrency: 10 {"}"}
        option_profiles:
          - {"{"} id: 90001, title: Initial Options, default: true {"}"}
        networks:
          - {"{"} id: 1001, name: DMZ {"}"}
        scanners:
          - {"{"} id: 501, name: chaos-appliance, network_id: 1001, status: Online {"}"}
        hosts:
          - ip: 192.0.2.10
            detections:
              - {"{"} qid: 376157, port: "8080", results: "log4j-core-2.14.1.jar" {"}"}
              - {"{"} qid: 42430, port: "443", ssl: true {"}"}
          - ip: 192.0.2.20
            detections:
              - {"{"} qid: 42430, port: "443", ssl: true {"}"}
        connectors:
          - id: 7001
            name: chaos-aws
            account_id: "123456789012"
            state: FINISHED_SUCCESS
            regions: [us-east-1]
            instances:
              - {"{"} instance_id: i-0123456789abcdef0, state: RUNNING, region: us-east-1, ip: 192.0.2.20 {"}"}
        knowledge_base:
          seed: 20211210
          size: 500
        """;

    public static TheoryData<string, string> FaultCases =>
    [
        .. Targets.Keys.SelectMany(phase => Kinds.Select(k => (phase.ToString(), k.Kind))),
        .. Targets.Keys.Select(phase => (phase.ToString(), "slow")),
    ];

    public static TheoryData<string> FateCases => [.. Fates.Select(f => f.Fate)];

    [Theory]
    [MemberData(nameof(FaultCases))]
    public async Task Scan_EmulatorFaultAtEveryPhase_EndsAsExpected(string phaseName, string kind)
    {
        var phase = Enum.Parse<Phase>(phaseName);
        var (path, action) = Targets[phase];
        List<FaultRule> rules = [new() { Path = path, Action = action, Kind = kind, DelaySeconds = 10 }];
        if (phase == Phase.Cancel)
        {
            // The cancel is reached by a scan that never leaves Queued: the deadline comes, then the cancel meets the fault.
            rules.Add(new FaultRule { Path = "/api/2.0/fo/scan/", Action = "launch", Kind = "scan_stuck_queued" });
        }

        var expected = string.Equals(kind, "slow", StringComparison.Ordinal)
            ? phase == Phase.Cancel ? new ChaosExpectation([ScanGate.ExitCodes.Timeout], CancelSent: true) : new ChaosExpectation([ScanGate.ExitCodes.PolicyFail], CancelSent: false)
            : Kinds.Single(k => string.Equals(k.Kind, kind, StringComparison.Ordinal)) is var k ? ChaosExpectation.For(phase, k.Ending, k.Processes) : null!;
        await RunAsync($"emulator {phase}: {kind}", phase, rules, expected);
    }

    [Theory]
    [MemberData(nameof(FateCases))]
    public async Task Scan_EmulatorScanFate_EndsAsExpected(string fate)
    {
        var (_, exitCode, cancelSent) = Fates.Single(f => string.Equals(f.Fate, fate, StringComparison.Ordinal));
        await RunAsync($"emulator fate: {fate}", Phase.Launch, [new() { Path = "/api/2.0/fo/scan/", Action = "launch", Kind = fate, Calls = [1] }], new([exitCode], cancelSent));
    }

    private static async Task RunAsync(string name, Phase phase, IReadOnlyList<FaultRule> rules, ChaosExpectation expected)
    {
        var clock = new ChaosClock(new DateTimeOffset(2026, 11, 28, 10, 0, 0, TimeSpan.Zero));
        await using var emulator = await QualysEmulator.StartAsync(new EmulatorOptions { Port = 0, Time = clock, ScenarioYaml = Scenario }, TestContext.Current.CancellationToken);
        foreach (var rule in rules)
        {
            emulator.State.AddFault(rule);
        }

        string[] target = phase == Phase.Ec2
            ? ["--ec2-instance", "i-0123456789abcdef0", "--ec2-connector", "chaos-aws", "--run-connector"]
            : ["--host", "192.0.2.10"];
        var run = await ChaosRunner.RunAsync(clock, Password, _ => { },
        [
            "scan", "--api-url", emulator.BaseUrl.ToString(), "--username", "chaos", .. target, "--poll-interval", "30s", "--timeout", "5m",
            "--fail-on-severity", "3", "--report", "json", "--output-dir", "out",
        ]);
        try
        {
            var requests = emulator.State.Requests;
            ChaosRunner.AssertHolds(name, run, expected.ExitCodes, Timeout, Password,
                requests.Select(r => r.Path + "?" + string.Join('&', r.Parameters.Select(p => $"{p.Key}={p.Value}"))));
            var cancels = requests.Where(r => r.Parameters.TryGetValue("action", out var a) && string.Equals(a, "cancel", StringComparison.Ordinal)).ToList();
            if (expected.CancelSent)
            {
                cancels.ShouldNotBeEmpty(run.Log);
            }
            else
            {
                cancels.ShouldBeEmpty(run.Log);
            }
        }
        finally
        {
            ChaosRunner.CleanUp(run);
        }
    }
}
