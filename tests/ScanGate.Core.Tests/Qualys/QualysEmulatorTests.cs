using ScanGate.Emulator;
using ScanGate.Infrastructure;
using ScanGate.Qualys;
using ScanGate.Results;

namespace ScanGate.Core.Tests.Qualys;

/// <summary>
/// Every call against the in-process emulator over real loopback HTTP (SocketsHttpHandler from the factory), with
/// the emulator's virtual clock and the client's waits on one fake clock.
/// </summary>
public sealed class QualysEmulatorTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed class Rig : IAsyncDisposable
    {
        public required QualysEmulator Emulator { get; init; }

        public required QualysClient Client { get; init; }

        public required ObservedTime Time { get; init; }

        public required ListLogger Logger { get; init; }

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await Emulator.DisposeAsync();
        }

        /// <summary>Moves fake time over the client's back-offs until the call ends.</summary>
        public async Task<T> DriveAsync<T>(Task<T> task)
        {
            while (!task.IsCompleted)
            {
                try
                {
                    var due = await Time.NextTimerAsync(d => d != TimeSpan.FromMinutes(2) && d != TimeSpan.FromMinutes(10), task);
                    Time.Advance(due);
                }
                catch (InvalidOperationException)
                {
                    break;
                }
            }

            return await task;
        }

        /// <summary>Advances the shared clock until the scan reaches a terminal state (the emulator's lifecycle is clock-driven).</summary>
        public async Task<QualysScan> WaitTerminalAsync(string scanRef)
        {
            for (var i = 0; i < 100; i++)
            {
                var scan = await Client.Scans.GetAsync(scanRef, Ct);
                if (scan is { IsTerminal: true, Processed: true } || scan?.State is "Error" or "Canceled")
                {
                    return scan;
                }

                Time.Advance(TimeSpan.FromSeconds(10));
            }

            throw new InvalidOperationException($"{scanRef} never finished");
        }
    }

    private static async Task<Rig> StartAsync(string? yaml = null, string user = "demo", string password = "demo", Action<QualysClientOptionsBuilder>? tweak = null)
    {
        var time = new ObservedTime();
        var emulator = await QualysEmulator.StartAsync(new EmulatorOptions { ScenarioYaml = yaml, Time = time.Fake }, Ct);
        var builder = new QualysClientOptionsBuilder { Platform = QualysPlatform.Resolve(emulator.BaseUrl.ToString()), Username = user, Password = password };
        tweak?.Invoke(builder);
        var logger = new ListLogger();
        var client = QualysClient.Create(builder.Build(), new DictionaryEnvironment(), time, logger);
        return new Rig { Emulator = emulator, Client = client, Time = time, Logger = logger };
    }

    private sealed class QualysClientOptionsBuilder
    {
        public required QualysPlatform Platform { get; init; }

        public required string Username { get; init; }

        public required string Password { get; init; }

        public int MaxTransientRetries { get; set; } = 5;

        public QualysClientOptions Build() => new() { Platform = Platform, Username = Username, Password = Password, MaxTransientRetries = MaxTransientRetries, Jitter = () => 0.5 };
    }

    private static string Scenario(string extra) => DefaultScenarioYaml + extra;

    // The emulator's built-in scenario is internal; this copy holds only what these tests rely on.
    private const string DefaultScenarioYaml = """
        users:
          - { username: demo, password: demo, modules: [VM, PC] }
          - { username: pconly, password: pconly, modules: [PC] }
        subscription:
          ips: [192.0.2.0/24]
        timings: { submitted: 2, queued: 10, running: 60, loading: 5, processing: 5, connector_queued: 5, connector_running: 20, connector_processing: 5 }
        option_profiles:
          - { id: 90001, title: Initial Options, default: true }
          - { id: 90003, title: PCI Options, pci: true }
        networks:
          - { id: 1001, name: DMZ }
        scanners:
          - { id: 501, name: demo-appliance, network_id: 1001, status: Online }
          - { id: 503, name: other-appliance, status: Offline }
          - { id: 502, name: demo-ec2-scanner, status: Online, ec2: { instance_id: i-0a1b2c3d4e5f60718, account_id: "123456789012", region: us-east-1 } }
        hosts:
          - ip: 192.0.2.10
            dns: web01.demo.example
            os: Ubuntu 22.04
            detections:
              - { qid: 376157, port: "8080", results: "Vulnerable log4j-core-2.14.1.jar" }
              - { qid: 38628, port: "443", ssl: true, results: "TLSv1.0 is supported" }
          - ip: 192.0.2.11
            detections:
              - { qid: 6, results: "clean01.demo.example" }
          - ip: 192.0.2.99
            alive: false
        connectors:
          - id: 7001
            name: demo-aws
            account_id: "123456789012"
            state: FINISHED_SUCCESS
            regions: [us-east-1]
            instances:
              - { instance_id: i-0123456789abcdef0, state: RUNNING, region: us-east-1, ip: 192.0.2.10 }
              - { instance_id: i-0fedcba9876543210, state: STOPPED, region: us-east-1, ip: 192.0.2.11 }
          - { id: 7002, name: other-aws, account_id: "999999999999", state: DISABLED, disabled: true }
        knowledge_base:
          seed: 7
          size: 300

        """;

    private static ScanLaunchRequest Host(string title, string ip = "192.0.2.10") =>
        new() { Title = title, OptionProfile = "Initial Options", ScannerName = "External", Ip = ip };

    [Fact]
    public async Task TestConnection_CustomUrl_UsesAboutAndGatewayAlsoWorks()
    {
        await using var rig = await StartAsync(DefaultScenarioYaml);

        var about = await rig.Client.TestConnectionAsync(Ct);
        var gateway = await rig.Client.CheckGatewayAsync(Ct);

        about.Method.ShouldBe("about");
        int.Parse(about.WebVersion!.Split('.')[0], System.Globalization.CultureInfo.InvariantCulture).ShouldBeGreaterThanOrEqualTo(8);
        gateway.Modules.ShouldContain("VM");
    }

    [Fact]
    public async Task TestConnection_UserWithoutVm_FailsAtGateway()
    {
        await using var rig = await StartAsync(DefaultScenarioYaml, "pconly", "pconly");

        var ex = await Should.ThrowAsync<QualysApiException>(() => rig.Client.CheckGatewayAsync(Ct));

        ex.Message.ShouldContain("VM module is not enabled");
    }

    [Fact]
    public async Task AnyCall_WrongPassword_Is2000WithPlatformHintAndNoRetry()
    {
        await using var rig = await StartAsync(DefaultScenarioYaml, "demo", "wrong");

        var fo = await Should.ThrowAsync<QualysApiException>(() => rig.Client.Scans.ListAsync(new ScanListQuery(), Ct));
        var gw = await Should.ThrowAsync<QualysApiException>(() => rig.Client.CheckGatewayAsync(Ct));

        (fo.HttpStatus, fo.Code, fo.Attempts).ShouldBe((401, 2000, 1));
        fo.Message.ShouldContain("wrong platform");
        gw.Message.ShouldContain("platform");
    }

    [Fact]
    public async Task QpsCall_WrongPassword_IsInvalidCredentials()
    {
        await using var rig = await StartAsync(DefaultScenarioYaml, "demo", "wrong");

        var qps = await Should.ThrowAsync<QualysApiException>(() => rig.Client.Ec2.SearchConnectorsAsync(null, Ct));

        qps.QpsResponseCode.ShouldBe("INVALID_CREDENTIALS");
        qps.Message.ShouldContain("wrong platform");
    }

    [Theory]
    [InlineData("expired", 2001)]
    [InlineData("registration_pending", 2003)]
    [InlineData("license", 2012)]
    public async Task AnyCall_AccountState_IsTypedErrorWithoutRetry(string state, int code)
    {
        await using var rig = await StartAsync(DefaultScenarioYaml);
        rig.Emulator.State.SetAccountState("demo", state);

        var ex = await Should.ThrowAsync<QualysApiException>(() => rig.Client.Catalog.ListAppliancesAsync(null, Ct));

        ex.Code.ShouldBe(code);
        ex.Attempts.ShouldBe(1);
        ex.Hint.ShouldNotBeNullOrEmpty();
    }

    [Fact]
    public async Task Appliances_AllByNetworkAndEc2()
    {
        await using var rig = await StartAsync(DefaultScenarioYaml);

        var all = await rig.Client.Catalog.ListAppliancesAsync(null, Ct);
        var dmz = await rig.Client.Catalog.ListAppliancesAsync("1001", Ct);
        var ec2 = await rig.Client.Catalog.ListEc2AppliancesAsync(Ct);

        all.Select(a => a.Name).ShouldBe(["demo-appliance", "other-appliance", "demo-ec2-scanner"], ignoreOrder: true);
        all.Single(a => a.Name == "other-appliance").Status.ShouldBe("Offline");
        dmz.Select(a => a.Name).ShouldBe(["demo-appliance"]);
        ec2.Single().Name.ShouldBe("demo-ec2-scanner");
        ec2.Single().CloudAccountId.ShouldBe("123456789012");
    }

    [Fact]
    public async Task OptionProfiles_VmAndPci()
    {
        await using var rig = await StartAsync(DefaultScenarioYaml);

        var result = await rig.Client.Catalog.ListOptionProfilesAsync(Ct);

        result.Profiles.ShouldContain(p => p.Title == "Initial Options" && p.Kind == OptionProfileKind.Vm);
        result.Profiles.ShouldContain(p => p.Title == "PCI Options" && p.Kind == OptionProfileKind.Pci);
        result.PciUnavailable.ShouldBeNull();
    }

    [Fact]
    public async Task OptionProfiles_PciDisabled_403IsToleratedAndReported()
    {
        await using var rig = await StartAsync(DefaultScenarioYaml.Replace("  ips: [192.0.2.0/24]", "  ips: [192.0.2.0/24]\n  pci_enabled: false", StringComparison.Ordinal));

        var result = await rig.Client.Catalog.ListOptionProfilesAsync(Ct);

        result.Profiles.ShouldContain(p => p.Title == "Initial Options");
        result.Profiles.ShouldAllBe(p => p.Kind == OptionProfileKind.Vm);
        result.PciUnavailable!.HttpStatus.ShouldBe(403);
    }

    [Fact]
    public async Task Networks_ListedAndDisabledIs403()
    {
        await using var rig = await StartAsync(DefaultScenarioYaml);
        (await rig.Client.Catalog.ListNetworksAsync(Ct)).Select(n => (n.Id, n.Name)).ShouldBe([("1001", "DMZ")]);

        await using var off = await StartAsync(DefaultScenarioYaml.Replace("  ips: [192.0.2.0/24]", "  ips: [192.0.2.0/24]\n  networks_enabled: false", StringComparison.Ordinal));
        (await Should.ThrowAsync<QualysApiException>(() => off.Client.Catalog.ListNetworksAsync(Ct))).HttpStatus.ShouldBe(403);
    }

    [Fact]
    public async Task Scan_LaunchPollDownload_EndToEnd()
    {
        await using var rig = await StartAsync(DefaultScenarioYaml);

        var launched = await rig.Client.Scans.LaunchAsync(Host("e2e_build_1"), Ct);
        launched.ScanRef.ShouldStartWith("scan/");
        (await rig.Client.Scans.GetAsync(launched.ScanRef, Ct))!.IsTerminal.ShouldBeFalse();

        var finished = await rig.WaitTerminalAsync(launched.ScanRef);
        finished.State.ShouldBe("Finished");
        finished.Title.ShouldBe("e2e_build_1");

        using var copy = new MemoryStream();
        var bytes = await rig.Client.Scans.DownloadResultAsync(launched.ScanRef, copy, Ct);
        bytes.ShouldBe(copy.Length);
        copy.Position = 0;
        var qids = new List<long>();
        await using (var reader = new ScanResultReader(copy, leaveOpen: true))
        {
            while (await reader.ReadAsync(Ct))
            {
                if (reader.Kind == ScanResultElementKind.Detection)
                {
                    qids.Add(reader.Detection!.Qid);
                }
            }
        }

        qids.ShouldContain(376157);
        qids.ShouldContain(38628);
    }

    [Fact]
    public async Task Scan_DeadHost_FinishesNoHost()
    {
        await using var rig = await StartAsync(DefaultScenarioYaml);

        var launched = await rig.Client.Scans.LaunchAsync(Host("dead_1", "192.0.2.99"), Ct);
        var scan = await rig.WaitTerminalAsync(launched.ScanRef);

        (scan.State, scan.SubState).ShouldBe(("Finished", "No_Host"));
    }

    [Fact]
    public async Task Scan_PauseResumeCancel()
    {
        await using var rig = await StartAsync(DefaultScenarioYaml);
        var scanRef = (await rig.Client.Scans.LaunchAsync(Host("ctl_1"), Ct)).ScanRef;
        rig.Time.Advance(TimeSpan.FromSeconds(15));

        await rig.Client.Scans.PauseAsync(scanRef, Ct);
        rig.Time.Advance(TimeSpan.FromSeconds(5));
        (await rig.Client.Scans.GetAsync(scanRef, Ct))!.State.ShouldBe("Paused");
        await rig.Client.Scans.ResumeAsync(scanRef, Ct);
        rig.Time.Advance(TimeSpan.FromSeconds(5));
        (await rig.Client.Scans.GetAsync(scanRef, Ct))!.State.ShouldNotBe("Paused");
        await rig.Client.Scans.CancelAsync(scanRef, Ct);
        rig.Time.Advance(TimeSpan.FromSeconds(5));

        (await rig.Client.Scans.GetAsync(scanRef, Ct))!.State.ShouldBe("Canceled");
        await Should.ThrowAsync<QualysApiException>(() => rig.Client.Scans.ResumeAsync(scanRef, Ct));
    }

    [Fact]
    public async Task Scan_DocumentedLaunchAndFetchErrors_AreTyped()
    {
        await using var rig = await StartAsync(DefaultScenarioYaml);

        var notApproved = await Should.ThrowAsync<QualysApiException>(() => rig.Client.Scans.LaunchAsync(Host("bad_ip", "10.9.9.9"), Ct));
        var badProfile = await Should.ThrowAsync<QualysApiException>(() => rig.Client.Scans.LaunchAsync(Host("bad_op") with { OptionProfile = "No Such Profile" }, Ct));
        var running = (await rig.Client.Scans.LaunchAsync(Host("unfinished"), Ct)).ScanRef;
        var fetchEarly = await Should.ThrowAsync<QualysApiException>(() => rig.Client.Scans.OpenResultAsync(running, Ct));
        var unknown = await rig.Client.Scans.GetAsync("scan/1111111111.99999", Ct);

        notApproved.Code.ShouldNotBeNull();
        notApproved.Attempts.ShouldBe(1);
        badProfile.Code.ShouldNotBeNull();
        fetchEarly.Code.ShouldNotBeNull();
        unknown.ShouldBeNull();
        rig.Emulator.State.Requests.Count(r => r.Parameters.GetValueOrDefault("action") == "launch").ShouldBe(3);
    }

    [Fact]
    public async Task Scan_LostLaunchResponse_MakesExactlyOneScan()
    {
        await using var rig = await StartAsync(Scenario("""
            faults:
              - { path: /api/2.0/fo/scan/, action: launch, kind: lost_launch_response, calls: [1] }
            """));

        var result = await rig.DriveAsync(rig.Client.Scans.LaunchAsync(Host("lost_1"), Ct));

        result.RecoveredByTitle.ShouldBeTrue();
        var matching = await rig.Client.Scans.FindByTitleAsync("lost_1", rig.Time.Start.AddHours(-1), Ct);
        matching.Select(s => s.Ref).ShouldBe([result.ScanRef]);
        rig.Emulator.State.Requests.Count(r => r.Parameters.GetValueOrDefault("action") == "launch").ShouldBe(1);
    }

    [Theory]
    [InlineData("http_503")]
    [InlineData("maintenance_1999")]
    [InlineData("maintenance_html")]
    [InlineData("connection_reset")]
    [InlineData("conflict_1960")]
    [InlineData("conflict_1965")]
    public async Task ScanList_TransientFault_IsRetriedAndLogged(string kind)
    {
        await using var rig = await StartAsync(Scenario($$"""
            faults:
              - { path: /api/, action: list, kind: {{kind}}, calls: [1, 2] }
            """));

        var scans = await rig.DriveAsync(rig.Client.Scans.ListAsync(new ScanListQuery(), Ct));

        scans.ShouldBeEmpty();
        rig.Logger.Entries.Count(e => e.Level == Microsoft.Extensions.Logging.LogLevel.Warning).ShouldBe(2);
    }

    [Fact]
    public async Task Fetch_TruncatedBody_FailsInsteadOfShorterList()
    {
        await using var rig = await StartAsync(Scenario("""
            faults:
              - { path: /api/2.0/fo/scan/, action: fetch, kind: truncated_body }
            """), tweak: b => b.MaxTransientRetries = 1);
        var scanRef = (await rig.Client.Scans.LaunchAsync(Host("trunc_1"), Ct)).ScanRef;
        await rig.WaitTerminalAsync(scanRef);

        await Should.ThrowAsync<QualysException>(() => rig.DriveAsync(rig.Client.Scans.DownloadResultAsync(scanRef, new MemoryStream(), Ct)));
    }

    [Fact]
    public async Task Fetch_MalformedBody_FailsInsteadOfShorterList()
    {
        await using var rig = await StartAsync(Scenario("""
            faults:
              - { path: /api/2.0/fo/scan/, action: fetch, kind: malformed_body }
            """), tweak: b => b.MaxTransientRetries = 1);
        var scanRef = (await rig.Client.Scans.LaunchAsync(Host("bad_1"), Ct)).ScanRef;
        await rig.WaitTerminalAsync(scanRef);

        await Should.ThrowAsync<QualysException>(() => rig.DriveAsync(rig.Client.Scans.DownloadResultAsync(scanRef, new MemoryStream(), Ct)));
    }

    [Fact]
    public async Task Connectors_SearchGetRun()
    {
        await using var rig = await StartAsync(DefaultScenarioYaml);

        var all = await rig.Client.Ec2.SearchConnectorsAsync(null, Ct);
        var named = await rig.Client.Ec2.SearchConnectorsAsync("demo-aws", Ct);
        var got = await rig.Client.Ec2.GetConnectorAsync(7001, Ct);
        var run = await rig.Client.Ec2.RunConnectorAsync(7001, Ct);

        all.Select(c => c.Name).ShouldBe(["demo-aws", "other-aws"], ignoreOrder: true);
        named.Single().Id.ShouldBe(7001);
        named.Single().AwsAccountId.ShouldBe("123456789012");
        got.State.ShouldBe("FINISHED_SUCCESS");
        run.State.ShouldNotBe("FINISHED_SUCCESS");
        await Should.ThrowAsync<QualysApiException>(() => rig.Client.Ec2.RunConnectorAsync(7002, Ct));
        await Should.ThrowAsync<QualysApiException>(() => rig.Client.Ec2.GetConnectorAsync(424242, Ct));
    }

    [Fact]
    public async Task Connectors_SearchFollowsPagination()
    {
        await using var rig = await StartAsync(DefaultScenarioYaml);
        var o = TestClients.Options();
        using var paged = QualysClient.Create(new QualysClientOptions { Platform = rig.Client.Platform, Username = "demo", Password = "demo", QpsPageSize = 1 }, new DictionaryEnvironment(), rig.Time);

        var all = await paged.Ec2.SearchConnectorsAsync(null, Ct);

        all.Count.ShouldBe(2);
        rig.Emulator.State.Requests.Count(r => r.Path.Contains("awsassetdataconnector", StringComparison.Ordinal)).ShouldBe(2);
        o.ShouldNotBeNull();
    }

    [Fact]
    public async Task HostAssets_ByInstanceAndAccount()
    {
        await using var rig = await StartAsync(DefaultScenarioYaml);

        var running = await rig.Client.Ec2.FindHostAssetsAsync("i-0123456789abcdef0", "123456789012", Ct);
        var stopped = await rig.Client.Ec2.FindHostAssetsAsync("i-0fedcba9876543210", "123456789012", Ct);
        var unknown = await rig.Client.Ec2.FindHostAssetsAsync("i-00000000000000000", "123456789012", Ct);

        (running.Single().InstanceState, running.Single().Region).ShouldBe(("RUNNING", "us-east-1"));
        stopped.Single().InstanceState.ShouldBe("STOPPED");
        unknown.ShouldBeEmpty();
    }

    [Fact]
    public async Task KnowledgeBase_ListsRequestedQids()
    {
        await using var rig = await StartAsync(DefaultScenarioYaml);

        var vulns = new List<KbVulnerability>();
        await foreach (var v in rig.Client.KnowledgeBase.ListAsync(new KbQuery { Ids = ["376157", "38628"] }, Ct))
        {
            vulns.Add(v);
        }

        vulns.Select(v => v.Qid).ShouldBe([38628L, 376157L], ignoreOrder: true);
        vulns.ShouldAllBe(v => !string.IsNullOrEmpty(v.Title) && v.Severity >= 1 && v.Severity <= 5);
    }

    [Fact]
    public async Task KnowledgeBase_WholeList_FollowsTruncationToTheEnd()
    {
        await using var rig = await StartAsync(DefaultScenarioYaml);

        var count = 0;
        var qids = new HashSet<long>();
        await foreach (var v in rig.Client.KnowledgeBase.ListAsync(new KbQuery(), Ct))
        {
            count++;
            qids.Add(v.Qid);
        }

        count.ShouldBe(qids.Count, "no QID repeats across pages");
        count.ShouldBeGreaterThanOrEqualTo(300);
    }

    [Fact]
    public async Task HostDetections_AfterAScan_FollowTruncation()
    {
        await using var rig = await StartAsync(DefaultScenarioYaml);
        foreach (var ip in new[] { "192.0.2.10", "192.0.2.11" })
        {
            await rig.WaitTerminalAsync((await rig.Client.Scans.LaunchAsync(Host($"hld_{ip}", ip), Ct)).ScanRef);
        }

        var hosts = new List<HostDetections>();
        await foreach (var h in rig.Client.HostDetections.ListAsync(new HostDetectionQuery { Ips = ["192.0.2.10-192.0.2.11"], TruncationLimit = 1, ShowIgs = true }, Ct))
        {
            hosts.Add(h);
        }

        hosts.Select(h => h.Ip).ShouldBe(["192.0.2.10", "192.0.2.11"], ignoreOrder: true);
        hosts.Single(h => h.Ip == "192.0.2.10").Detections.Select(d => d.Qid).ShouldContain(376157);
        rig.Emulator.State.Requests.Count(r => r.Path.Contains("/detection/", StringComparison.Ordinal)).ShouldBe(2);
    }
}
