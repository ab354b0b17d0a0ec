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

        public List<string> Calls { get; } = [];

        public Task TestConnectionAsync(CancellationToken cancellationToken)
        {
            Calls.Add("test");
            return ConnectionFailure is null ? Task.CompletedTask : Task.FromException(ConnectionFailure);
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
            + "scanner: 'scanner-a'\nscan_name: '[job_name]_build_[build_number]'\npoll_interval: '30s'\ntimeout: '60*2'\non_host_down: 'fail'\n");
        yaml.ShouldNotContain("Secret-Pa55");
        console.Output.ShouldContain("'bad-host' is not an IPv4/IPv6 address");
        console.Output.ShouldContain("'11' is not a number from 0.0 to 10.0");
        console.Output.ShouldContain("Test connection: OK.");
        console.Output.ShouldNotContain("Secret-Pa55");
        var pipeline = host.Out.ToString();
        pipeline.ShouldBe(PipelineGenerator.Generate(new PipelineRequest
        {
            Ci = CiSystem.GitHub,
            Arguments =
            [
                new("--config", "scangate.yml"), new("--fail-on-severity", "4"), new("--fail-on-qids", "38170,38173-38175"),
                new("--fail-on-cvss3", "9.0"), new("--fail-on-pci", null), new("--exclude-qids", "105943"),
            ],
        }));
    }

    [Fact]
    public async Task Init_TestConnectionFails_AndUserStops_ExitsWith3AndWritesNothing()
    {
        var host = InteractiveHost();
        Enter(host.Console);                                  // platform
        host.Console.Input.PushTextWithEnter(string.Empty);  // proxy
        host.Console.Input.PushTextWithEnter("n");           // continue without lists?

        var exitCode = await RunInit(host, new FakeCatalog { ConnectionFailure = new InvalidOperationException("Bad Login (2000)") });

        exitCode.ShouldBe(ExitCodes.ApiError);
        host.Console.Output.ShouldContain("Test connection failed:");
        host.Console.Output.ShouldContain("Bad Login (2000)");
        File.Exists(Path.Combine(host.WorkingDirectory, "scangate.yml")).ShouldBeFalse();
    }

    [Fact]
    public async Task Init_Ec2WithoutLiveLists_TypedValuesAndPrivateCloudAndMissingCredentials()
    {
        var host = new CliTestHost();
        host.Console.Interactive();
        var console = host.Console;
        var catalog = new FakeCatalog { ConnectionFailure = new HttpRequestException("connection refused") };
        var connections = new List<InitCommand.InitConnection>();
        Enter(console, downs: InitCommand.Platforms.Length);  // Private cloud (API URL)
        console.Input.PushTextWithEnter("http://insecure.example");
        console.Input.PushTextWithEnter("https://qualysapi.private.example");
        console.Input.PushTextWithEnter("http://proxy.corp.example:3128");
        console.Input.PushTextWithEnter("typed_user");
        console.Input.PushTextWithEnter("typed-secret");
        console.Input.PushTextWithEnter("y");                // continue without live lists
        Enter(console, downs: 1);                            // target: AWS EC2 instance
        console.Input.PushTextWithEnter("i-0abc123");
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
        console.Output.ShouldContain("'http://insecure.example' is not an https:// URL.");
        console.Output.ShouldContain("'2x' is not a duration");
        host.Out.ToString().ShouldBeEmpty();
        var yaml = await File.ReadAllTextAsync(Path.Combine(host.WorkingDirectory, "ci", "qualys.yml"), TestContext.Current.CancellationToken);
        yaml.ShouldEndWith(
            "api_url: 'https://qualysapi.private.example'\nproxy: 'http://proxy.corp.example:3128'\nec2_instance: 'i-0abc123'\n"
            + "ec2_connector: 'aws-prod'\nrun_connector: true\noption_profile: 'Initial Options'\nscanner: 'ec2-scanner'\n"
            + "scan_name: 'nightly'\npoll_interval: '2m'\ntimeout: '1h30m'\non_host_down: 'warn'\n");
        yaml.ShouldNotContain("typed-secret");
        yaml.ShouldNotContain("typed_user");
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

    [Theory]
    [InlineData("30s", true)]
    [InlineData("1h30m", true)]
    [InlineData("60*2", true)]
    [InlineData("5", true)]
    [InlineData("60 * 2", false)]
    [InlineData("1.5", false)]
    [InlineData("m", false)]
    [InlineData("10x", false)]
    public void ValidateDuration_AcceptsScanDurationsOnly(string value, bool valid) =>
        (InitCommand.ValidateDuration(value) is null).ShouldBe(valid);

    [Theory]
    [InlineData("CVE-2021-44228,cve-2020-0001", true)]
    [InlineData("CVE-21-1", false)]
    [InlineData("38170,38173-38175", false)]
    public void ValidateCves_NamesTheBadItem(string value, bool valid) =>
        (InitCommand.ValidateCves(value) is null).ShouldBe(valid);

    [Theory]
    [InlineData("38170, 38173-38175", true)]
    [InlineData("5-3", false)]
    [InlineData("CVE-2021-44228", false)]
    public void ValidateQids_AcceptsNumbersAndRanges(string value, bool valid) =>
        (InitCommand.ValidateQids(value) is null).ShouldBe(valid);
}
