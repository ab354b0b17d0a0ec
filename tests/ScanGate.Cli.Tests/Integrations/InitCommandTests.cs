// Test code compares ASCII literals; == on string is ordinal already.
#pragma warning disable MA0006, MA0002

using System.CommandLine;
using ScanGate.Cli.Commands;
using ScanGate.Pipelines;
using Spectre.Console.Testing;

namespace ScanGate.Cli.Tests.Integrations;

public sealed class InitCommandTests
{
    private sealed class FakeCatalog : IQualysCatalog
    {
        public Exception? ConnectionFailure { get; init; }

        /// <summary>How many connection tests fail (with <see cref="ConnectionFailure"/>) before one succeeds; null: all.</summary>
        public int? FailuresBeforeSuccess { get; init; }

        public List<string> Calls { get; } = [];

        public Task TestConnectionAsync(CancellationToken cancellationToken)
        {
            Calls.Add("test");
            var failures = Calls.Count(c => c == "test");
            var fails = ConnectionFailure is not null && (FailuresBeforeSuccess is null || failures <= FailuresBeforeSuccess);
            return fails ? Task.FromException(ConnectionFailure!) : Task.CompletedTask;
        }

        public Task<IReadOnlyList<CatalogItem>> NetworksAsync(CancellationToken cancellationToken)
        {
            Calls.Add("networks");
            return Task.FromResult<IReadOnlyList<CatalogItem>>([new("1234", "Office [1234]"), new("5678", "Lab")]);
        }

        public Task<IReadOnlyList<CatalogItem>> ScannersAsync(string? networkId, CancellationToken cancellationToken)
        {
            Calls.Add("scanners:" + networkId);
            return Task.FromResult<IReadOnlyList<CatalogItem>>([new("scanner-a", "scanner-a (Online)")]);
        }

        public Task<IReadOnlyList<CatalogItem>> OptionProfilesAsync(CancellationToken cancellationToken)
        {
            Calls.Add("profiles");
            return Task.FromResult<IReadOnlyList<CatalogItem>>([new("Initial Options", "Initial Options"), new("PCI Profile", "PCI Profile")]);
        }

        public Task<IReadOnlyList<CatalogItem>> ConnectorsAsync(CancellationToken cancellationToken)
        {
            Calls.Add("connectors");
            return Task.FromResult<IReadOnlyList<CatalogItem>>([new("aws-prod", "aws-prod (FINISHED_SUCCESS)")]);
        }
    }

    private static async Task<int> RunInit(CliTestHost host, FakeCatalog catalog, List<InitCommand.InitConnection>? connections = null, params string[] args)
    {
        var root = new RootCommand();
        root.Subcommands.Add(InitCommand.Create(host.CreateContext(), c =>
        {
            connections?.Add(c);
            return catalog;
        }));
        return await root.Parse(["init", .. args]).InvokeAsync(new InvocationConfiguration { Output = host.Out, Error = host.Error }, TestContext.Current.CancellationToken);
    }

    private static CliTestHost InteractiveHost()
    {
        var host = new CliTestHost();
        host.Console.Interactive();
        host.Console.Profile.Width = 400; // messages on one line, as the assertions read them
        host.Environment["QUALYS_USERNAME"] = "acme_api";
        host.Environment["QUALYS_PASSWORD"] = "Secret-Pa55";
        host.Environment["QUALYS_PLATFORM"] = "EU2";
        return host;
    }

    private static void Enter(TestConsole console, int downs = 0)
    {
        for (var i = 0; i < downs; i++)
        {
            console.Input.PushKey(ConsoleKey.DownArrow);
        }

        console.Input.PushKey(ConsoleKey.Enter);
    }

    [Fact]
    public async Task Init_StdinNotATerminal_RefusesWithExitCode2()
    {
        var host = new CliTestHost(); // TestConsole is not interactive by default

        var exitCode = await RunInit(host, new FakeCatalog());

        exitCode.ShouldBe(ExitCodes.Usage);
        host.Error.ToString().ShouldContain("standard input is not a terminal");
        File.Exists(Path.Combine(host.WorkingDirectory, "scangate.yml")).ShouldBeFalse();
    }

    [Fact]
    public async Task Init_HostScanFromLiveLists_WritesConfigAndPrintsPipeline()
    {
        var host = InteractiveHost();
        var console = host.Console;
        var catalog = new FakeCatalog();
        var connections = new List<InitCommand.InitConnection>();
        Enter(console);                                   // platform: EU2 (from QUALYS_PLATFORM, listed first)
        console.Input.PushTextWithEnter(string.Empty);   // no proxy
        Enter(console);                                   // target: Host(s)
        console.Input.PushTextWithEnter("10.0.0.5, bad-host");
        console.Input.PushTextWithEnter("10.0.0.5, 10.0.1.0/28");
        Enter(console, downs: 1);                         // network: Office [1234]
        Enter(console, downs: 2);                         // scanner: External, all-in-network, scanner-a
        Enter(console, downs: 1);                         // option profile: PCI Profile
        Enter(console);                                   // severity: 4 (listed first)
        console.Input.PushTextWithEnter("38170,38173-38175");
        console.Input.PushTextWithEnter(string.Empty);   // CVEs
        console.Input.PushTextWithEnter("11");           // CVSS v3: refused
        console.Input.PushTextWithEnter("9.0");
        console.Input.PushTextWithEnter("y");            // PCI
        console.Input.PushTextWithEnter("n");            // potential
        console.Input.PushTextWithEnter("105943");       // exclude QIDs
        console.Input.PushTextWithEnter(string.Empty);   // exclude CVEs
        console.Input.PushTextWithEnter(string.Empty);   // scan name: default
        console.Input.PushTextWithEnter("30s");
        console.Input.PushTextWithEnter("60*2");
        Enter(console);                                   // host down: fail
        Enter(console);                                   // CI: github

        var exitCode = await RunInit(host, catalog, connections);

        exitCode.ShouldBe(ExitCodes.Pass, host.Error.ToString());
        connections.ShouldHaveSingleItem().ShouldBe(new InitCommand.InitConnection("EU2", null, "acme_api", "Secret-Pa55", null));
        catalog.Calls.ShouldBe(["test", "networks", "scanners:1234", "profiles"]);
        var yaml = await File.ReadAllTextAsync(Path.Combine(host.WorkingDirectory, "scangate.yml"), TestContext.Current.CancellationToken);
        yaml.ShouldBe(
            $"# scangate.yml, written by scangate init {ToolInfo.Version}\n"
            + "# Credentials are not stored here: set QUALYS_USERNAME and QUALYS_PASSWORD in the environment (CI secrets).\n"
            + "platform: 'EU2'\nhost: ['10.0.0.5', '10.0.1.0/28']\nnetwork_id: '1234'\noption_profile: 'PCI Profile'\n"
            + "scanner: 'scanner-a'\nscan_name: '[job_name]_build_[build_number]'\npoll_interval: '30s'\ntimeout: '60*2'\non_host_down: 'fail'\n"
            + "# Criteria (docs/policy.md); a flag or a SCANGATE_<KEY> variable overrides each one.\n"
            + "fail_on_severity: '4'\nfail_on_qids: '38170,38173-38175'\nfail_on_cvss3: '9.0'\nfail_on_pci: true\nexclude_qids: '105943'\n");
        yaml.ShouldNotContain("Secret-Pa55");
        console.Output.ShouldContain("host 'bad-host': 'bad' is not an IPv4 address");
        console.Output.ShouldContain("fail_on_cvss3: 11 is outside (0, 10]");
        console.Output.ShouldContain("Test connection: OK.");
        console.Output.ShouldNotContain("Secret-Pa55");
        var pipeline = host.Out.ToString();
        pipeline.ShouldBe(PipelineGenerator.Generate(new PipelineRequest { Ci = CiSystem.GitHub, Arguments = [new("--config", "scangate.yml")] }));
    }

    [Fact]
    public async Task Init_TestConnectionFails_AndUserStops_ExitsWith3AndWritesNothing()
    {
        var host = InteractiveHost();
        Enter(host.Console);                                  // platform
        host.Console.Input.PushTextWithEnter(string.Empty);  // proxy
        Enter(host.Console, downs: 3);                        // what now? Quit
        host.Console.Input.PushTextWithEnter("y");           // quit and discard the answers? yes

        var exitCode = await RunInit(host, new FakeCatalog { ConnectionFailure = new InvalidOperationException("Bad Login (2000)") });

        exitCode.ShouldBe(ExitCodes.ApiError);
        host.Console.Output.ShouldContain("Test connection failed:");
        host.Console.Output.ShouldContain("Bad Login (2000)");
        host.Console.Output.ShouldContain(InitCommand.RetryCredentials);
        File.Exists(Path.Combine(host.WorkingDirectory, "scangate.yml")).ShouldBeFalse();
    }

    [Fact]
    public async Task Init_Ec2WithoutLiveLists_TypedValuesAndPrivateCloudAndMissingCredentials()
    {
        var host = new CliTestHost();
        host.Console.Interactive();
        host.Console.Profile.Width = 400;
        var console = host.Console;
        var catalog = new FakeCatalog { ConnectionFailure = new HttpRequestException("connection refused") };
        var connections = new List<InitCommand.InitConnection>();
        Enter(console, downs: InitCommand.Platforms.Length);  // Private cloud (API URL)
        console.Input.PushTextWithEnter("http://insecure.example");
        console.Input.PushTextWithEnter("https://qualysapi.private.example");
        console.Input.PushTextWithEnter("http://proxy.corp.example:3128");
        console.Input.PushTextWithEnter("typed_user");
        console.Input.PushTextWithEnter("typed-secret");
        Enter(console, downs: 2);                            // what now? continue without live lists
        Enter(console, downs: 1);                            // target: AWS EC2 instance
        console.Input.PushTextWithEnter("i-0abc123");        // refused, as scan refuses it
        console.Input.PushTextWithEnter("i-0abc1234");
        console.Input.PushTextWithEnter("aws-prod");         // connector typed
        Enter(console, downs: 1);                            // scanner: (type a name)
        console.Input.PushTextWithEnter("ec2-scanner");
        console.Input.PushTextWithEnter("y");                // run connector
        console.Input.PushTextWithEnter(string.Empty);      // region
        console.Input.PushTextWithEnter(string.Empty);      // option profile: Initial Options
        Enter(console, downs: 1);                            // severity: none
        for (var i = 0; i < 3; i++)
        {
            console.Input.PushTextWithEnter(string.Empty);  // QIDs, CVEs, CVSS
        }

        console.Input.PushTextWithEnter("n");
        console.Input.PushTextWithEnter("n");
        console.Input.PushTextWithEnter(string.Empty);
        console.Input.PushTextWithEnter(string.Empty);
        console.Input.PushTextWithEnter("nightly");
        console.Input.PushTextWithEnter(string.Empty);      // poll: 2m
        console.Input.PushTextWithEnter("2x");               // refused
        console.Input.PushTextWithEnter("1h30m");
        Enter(console, downs: 1);                            // host down: warn
        Enter(console, downs: 4);                            // CI: none

        var exitCode = await RunInit(host, catalog, connections, "--file", "ci/qualys.yml");

        exitCode.ShouldBe(ExitCodes.Pass, host.Error.ToString());
        connections.ShouldHaveSingleItem().ShouldBe(new InitCommand.InitConnection(null, "https://qualysapi.private.example", "typed_user", "typed-secret", "http://proxy.corp.example:3128"));
        catalog.Calls.ShouldBe(["test"]);
        console.Output.ShouldContain("api_url 'http://insecure.example': must be https");
        console.Output.ShouldContain("ec2_instance 'i-0abc123': not an EC2 instance id");
        console.Output.ShouldContain("timeout '2x': not a duration");
        console.Output.ShouldContain("Run the gate with: scangate scan --config ci/qualys.yml");
        host.Out.ToString().ShouldBeEmpty();
        var yaml = await File.ReadAllTextAsync(Path.Combine(host.WorkingDirectory, "ci", "qualys.yml"), TestContext.Current.CancellationToken);
        yaml.ShouldEndWith(
            "api_url: 'https://qualysapi.private.example'\nproxy: 'http://proxy.corp.example:3128'\nec2_instance: 'i-0abc1234'\n"
            + "ec2_connector: 'aws-prod'\nrun_connector: true\noption_profile: 'Initial Options'\nscanner: 'ec2-scanner'\n"
            + "scan_name: 'nightly'\npoll_interval: '2m'\ntimeout: '1h30m'\non_host_down: 'warn'\n"
            + "# No criteria: the gate judges nothing until you add some, e.g. fail_on_severity: 4 (docs/policy.md).\n");
        yaml.ShouldNotContain("typed-secret");
        yaml.ShouldNotContain("typed_user");
    }

    [Fact]
    public async Task Init_TestConnectionFails_ReEnteredCredentialsAreTestedAgainAndTheAnswersKept()
    {
        var host = InteractiveHost();
        var console = host.Console;
        var catalog = new FakeCatalog { ConnectionFailure = new InvalidOperationException("Bad Login (2000)"), FailuresBeforeSuccess = 1 };
        var connections = new List<InitCommand.InitConnection>();
        Enter(console);                                   // platform EU2
        console.Input.PushTextWithEnter(string.Empty);   // no proxy
        Enter(console);                                   // what now? re-enter the credentials
        console.Input.PushTextWithEnter("acme_api2");
        console.Input.PushTextWithEnter("Right-Pa55");
        AnswerHostScan(console);
        Enter(console, downs: 4);                         // CI: none

        var exitCode = await RunInit(host, catalog, connections);

        exitCode.ShouldBe(ExitCodes.Pass, host.Error.ToString());
        connections.Select(c => (c.Platform, c.Username, c.Password)).ShouldBe([("EU2", "acme_api", "Secret-Pa55"), ("EU2", "acme_api2", "Right-Pa55")]);
        catalog.Calls.ShouldBe(["test", "test", "networks", "scanners:", "profiles"]);
        console.Output.ShouldContain("Test connection: OK.");
        var yaml = await File.ReadAllTextAsync(Path.Combine(host.WorkingDirectory, "scangate.yml"), TestContext.Current.CancellationToken);
        yaml.ShouldContain("platform: 'EU2'\n");
        yaml.ShouldNotContain("Right-Pa55");
        yaml.ShouldNotContain("acme_api2");
    }

    [Fact]
    public async Task Init_TestConnectionFails_AnotherPlatformIsTestedAndWritten()
    {
        var host = InteractiveHost();
        var console = host.Console;
        var catalog = new FakeCatalog { ConnectionFailure = new InvalidOperationException("Bad Login (2000)"), FailuresBeforeSuccess = 1 };
        var connections = new List<InitCommand.InitConnection>();
        Enter(console);                                   // platform EU2
        console.Input.PushTextWithEnter(string.Empty);   // no proxy
        Enter(console, downs: 1);                         // what now? another platform
        Enter(console, downs: 1);                         // EU2 is listed first, then US1
        console.Input.PushTextWithEnter(string.Empty);   // no proxy
        AnswerHostScan(console);
        Enter(console, downs: 4);                         // CI: none

        var exitCode = await RunInit(host, catalog, connections);

        exitCode.ShouldBe(ExitCodes.Pass, host.Error.ToString());
        connections.Select(c => c.Platform).ShouldBe(["EU2", "US1"]);
        connections[1].Username.ShouldBe("acme_api", "the credentials stay");
        (await File.ReadAllTextAsync(Path.Combine(host.WorkingDirectory, "scangate.yml"), TestContext.Current.CancellationToken)).ShouldContain("platform: 'US1'\n");
    }

    [Fact]
    public async Task Init_QuitAfterAFailedTest_AsksBeforeDiscardingTheAnswers()
    {
        var host = InteractiveHost();
        var console = host.Console;
        Enter(console);                                   // platform EU2
        console.Input.PushTextWithEnter(string.Empty);   // no proxy
        Enter(console, downs: 3);                         // what now? Quit
        console.Input.PushTextWithEnter("n");            // discard the answers? no
        Enter(console, downs: 2);                         // continue without live lists
        Enter(console);                                   // Host(s)
        console.Input.PushTextWithEnter("192.0.2.10");   // hosts
        console.Input.PushTextWithEnter(string.Empty);   // network: default
        Enter(console);                                   // scanner: External
        console.Input.PushTextWithEnter(string.Empty);   // option profile: Initial Options
        AnswerCriteriaAndTiming(console);
        Enter(console, downs: 4);                         // CI: none

        var exitCode = await RunInit(host, new FakeCatalog { ConnectionFailure = new InvalidOperationException("Bad Login (2000)") });

        exitCode.ShouldBe(ExitCodes.Pass, host.Error.ToString() + console.Output);
        console.Output.ShouldContain("Quit and discard your answers?");
        File.Exists(Path.Combine(host.WorkingDirectory, "scangate.yml")).ShouldBeTrue();
    }

    [Fact]
    public async Task Init_RefusesWhatScanRefuses_AFiveSecondPollIntervalAndCvssZero()
    {
        var host = InteractiveHost();
        var console = host.Console;
        Enter(console);                                   // platform
        Type(console, string.Empty);                      // proxy
        AnswerTarget(console);
        Enter(console);                                   // severity 4
        // QIDs, CVEs, CVSS 0 (refused) then 9, PCI, potential, exclusions, scan name, poll 5s (refused) then 1H, timeout
        Type(console, string.Empty, string.Empty, "0", "9", "n", "n", string.Empty, string.Empty, string.Empty, "5s", "1H", "2h");
        Enter(console);                                   // host down: fail
        Enter(console, downs: 4);                         // CI: none

        var exitCode = await RunInit(host, new FakeCatalog());

        exitCode.ShouldBe(ExitCodes.Pass, host.Error.ToString());
        console.Output.ShouldContain("fail_on_cvss3: 0 is outside (0, 10]; a CVSS threshold must be greater than 0 and at most 10.");
        console.Output.ShouldContain("poll_interval '5s': below the minimum of 10 s");
        var yaml = await File.ReadAllTextAsync(Path.Combine(host.WorkingDirectory, "scangate.yml"), TestContext.Current.CancellationToken);
        yaml.ShouldContain("poll_interval: '1H'\ntimeout: '2h'\n");
        yaml.ShouldContain("fail_on_cvss3: '9'\n");
    }

    [Fact]
    public async Task Init_TimeoutShorterThanThePollInterval_IsAskedAgainNotWritten()
    {
        var host = InteractiveHost();
        var console = host.Console;
        Enter(console);                                   // platform
        Type(console, string.Empty);                      // proxy
        AnswerTarget(console);
        Enter(console);                                   // severity 4
        // QIDs, CVEs, CVSS, PCI, potential, exclusions, scan name, poll 10m, timeout 5m: shorter, refused by scan's check
        Type(console, string.Empty, string.Empty, string.Empty, "n", "n", string.Empty, string.Empty, string.Empty, "10m", "5m");
        Enter(console);                                   // host down
        Enter(console);                                   // change: the timing
        Type(console, string.Empty, string.Empty, "30m"); // scan name and poll kept, timeout 30m
        Enter(console);                                   // host down kept
        Enter(console, downs: 4);                         // CI: none

        var exitCode = await RunInit(host, new FakeCatalog());

        exitCode.ShouldBe(ExitCodes.Pass, host.Error.ToString());
        console.Output.ShouldContain("scan would refuse this configuration: scangate.yml: timeout '5m': shorter than the poll interval (10m).");
        var yaml = await File.ReadAllTextAsync(Path.Combine(host.WorkingDirectory, "scangate.yml"), TestContext.Current.CancellationToken);
        yaml.ShouldContain("poll_interval: '10m'\ntimeout: '30m'\n");
    }

    [Fact]
    public async Task Init_FileCannotBeWritten_OffersAnotherFileInsteadOfLosingTheAnswers()
    {
        var host = InteractiveHost();
        var console = host.Console;
        await File.WriteAllTextAsync(Path.Combine(host.WorkingDirectory, "blocker"), "a file, not a directory", TestContext.Current.CancellationToken);
        Enter(console);                                   // platform
        console.Input.PushTextWithEnter(string.Empty);   // proxy
        AnswerHostScan(console);
        Enter(console, downs: 4);                         // CI: none
        console.Input.PushTextWithEnter("qualys.yml");   // write it to another file

        var exitCode = await RunInit(host, new FakeCatalog(), null, "--file", "blocker/scangate.yml");

        exitCode.ShouldBe(ExitCodes.Pass, host.Error.ToString());
        console.Output.ShouldContain("Cannot write");
        (await File.ReadAllTextAsync(Path.Combine(host.WorkingDirectory, "qualys.yml"), TestContext.Current.CancellationToken)).ShouldContain("host: ['192.0.2.10']\n");
        console.Output.ShouldContain("Run the gate with: scangate scan --config qualys.yml");
    }

    /// <summary>Hosts 192.0.2.10 with the live lists' first entries, then <see cref="AnswerCriteriaAndTiming"/>.</summary>
    private static void AnswerHostScan(TestConsole console)
    {
        AnswerTarget(console);
        AnswerCriteriaAndTiming(console);
    }

    /// <summary>Hosts 192.0.2.10, the default network, External, the first option profile.</summary>
    private static void AnswerTarget(TestConsole console)
    {
        Enter(console);                                   // Host(s)
        Type(console, "192.0.2.10");
        Enter(console);                                   // network: default
        Enter(console);                                   // scanner: External
        Enter(console);                                   // option profile
    }

    private static void Type(TestConsole console, params string[] lines)
    {
        foreach (var line in lines)
        {
            console.Input.PushTextWithEnter(line);
        }
    }

    /// <summary>Severity 4, no other criteria, default timing, host down fail.</summary>
    private static void AnswerCriteriaAndTiming(TestConsole console)
    {
        Enter(console);                                   // severity 4
        for (var i = 0; i < 3; i++)
        {
            console.Input.PushTextWithEnter(string.Empty);
        }

        console.Input.PushTextWithEnter("n");
        console.Input.PushTextWithEnter("n");
        for (var i = 0; i < 5; i++)
        {
            console.Input.PushTextWithEnter(string.Empty); // exclusions, scan name, poll, timeout
        }

        Enter(console);                                   // host down: fail
    }

    [Fact]
    public async Task Init_ExistingFileAndUserDeclines_KeepsTheFile()
    {
        var host = InteractiveHost();
        var path = Path.Combine(host.WorkingDirectory, "scangate.yml");
        await File.WriteAllTextAsync(path, "platform: US1\n", TestContext.Current.CancellationToken);
        host.Console.Input.PushTextWithEnter("n");

        var exitCode = await RunInit(host, new FakeCatalog());

        exitCode.ShouldBe(ExitCodes.Usage);
        (await File.ReadAllTextAsync(path, TestContext.Current.CancellationToken)).ShouldBe("platform: US1\n");
    }
}
