// Test code compares ASCII literals; == on string is ordinal already.
#pragma warning disable MA0006

using ScanGate.Configuration;
using ScanGate.Pipelines;
using ScanGate.Policy;
using ScanGate.Scanning;
using YamlDotNet.RepresentationModel;

namespace ScanGate.Core.Tests.Pipelines;

/// <summary>
/// The scangate.yml <c>scangate init</c> writes holds the whole configuration, criteria included: the scan
/// configuration reads every key of it, and the file round-trips (what is read back is what was answered).
/// </summary>
public sealed class InitOutputTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 10, 0, 0, TimeSpan.Zero);
    private readonly string _directory = Directory.CreateTempSubdirectory("scangate-init-output-").FullName;

    private static readonly InitAnswers HostAnswers = new()
    {
        Platform = "EU2",
        Proxy = "http://proxy.corp.example:3128",
        Hosts = ["10.0.0.5", "10.0.1.0/28"],
        NetworkId = "1234",
        OptionProfile = "PCI Profile: it's 'quoted' [x]",
        Scanner = "all-in-network",
        ScanName = "[job_name]_build_[build_number]",
        PollInterval = "30s",
        Timeout = "60*2",
        OnHostDown = "warn",
        FailOnSeverity = 4,
        FailOnQids = "38170,38173-38175",
        FailOnCves = "CVE-2021-44228",
        FailOnCvss2 = "7.5",
        FailOnCvss3 = "9.0",
        FailOnPci = true,
        IncludePotential = true,
        ExcludeQids = "105943",
        ExcludeCves = "CVE-2020-0001",
    };

    private static readonly InitAnswers Ec2Answers = new()
    {
        ApiUrl = "https://qualysapi.private.example",
        Ec2Instance = "i-0123456789abcdef0",
        Ec2Connector = "aws-prod",
        RunConnector = true,
        Ec2Region = "eu-west-1",
        Scanner = "ec2-scanner",
    };

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private ScanPlan Read(string yaml) =>
        ScanConfiguration.BuildPlan(ConfigurationLayers.ForFileText(yaml, "scangate.yml", _directory), new CiEnvironment("none", "scangate", "local"), Now);

    [Fact]
    public void ToYaml_HostAnswers_EveryKeyIsKnownAndReadBackAsAnswered()
    {
        var yaml = InitOutput.ToYaml(HostAnswers);
        var keys = Keys(yaml);

        keys.ShouldAllBe(key => ConfigurationLayers.KnownKeys.Contains(key));
        keys.ShouldBe(
            ["platform", "proxy", "host", "network_id", "option_profile", "scanner", "scan_name", "poll_interval", "timeout", "on_host_down",
             "fail_on_severity", "fail_on_qids", "fail_on_cves", "fail_on_cvss2", "fail_on_cvss3", "fail_on_pci", "include_potential", "exclude_qids", "exclude_cves"]);
        var plan = Read(yaml);
        var target = plan.Request.Target.ShouldBeOfType<HostTarget>();
        target.Entries.ShouldBe(["10.0.0.5", "10.0.1.0-10.0.1.15"]);
        target.NetworkId.ShouldBe("1234");
        plan.Request.OptionProfile.ShouldBe(HostAnswers.OptionProfile);
        plan.Request.Scanner.ShouldBe("all-in-network");
        plan.Request.Title.ShouldBe("scangate_build_local_2026-11-28-10-00-00");
        plan.Request.PollInterval.ShouldBe(TimeSpan.FromSeconds(30));
        plan.Request.Timeout.ShouldBe(TimeSpan.FromHours(2));
        plan.Request.OnHostDown.ShouldBe(HostDownAction.Warn);
        var policy = PolicyBuilder.Build(plan.Criteria, _directory);
        policy.FailOn.Severity.ShouldBe(4);
        policy.FailOn.Qids!.Text.ShouldBe("38170,38173-38175");
        policy.FailOn.Cves!.Text.ShouldBe("CVE-2021-44228");
        policy.FailOn.Cvss2.ShouldBe(7.5);
        policy.FailOn.Cvss3.ShouldBe(9.0);
        policy.FailOn.Pci.ShouldBeTrue();
        policy.IncludePotential.ShouldBeTrue();
        policy.ExcludeQids!.Text.ShouldBe("105943");
        policy.ExcludeCves!.Text.ShouldBe("CVE-2020-0001");
    }

    [Fact]
    public void ToYaml_Ec2Answers_EveryKeyIsKnownAndReadBackAsAnswered()
    {
        var yaml = InitOutput.ToYaml(Ec2Answers);

        Keys(yaml).ShouldAllBe(key => ConfigurationLayers.KnownKeys.Contains(key));
        var plan = Read(yaml);
        plan.Request.Target.ShouldBe(new Ec2Target("i-0123456789abcdef0", "aws-prod", true, "eu-west-1"));
        plan.Request.Scanner.ShouldBe("ec2-scanner");
        plan.Criteria.ShouldBe(new PolicyOverrides());
    }

    [Theory]
    [InlineData("host")]
    [InlineData("ec2")]
    public void ToYaml_ReadAsYaml_GivesBackEveryAnswer(string scenario)
    {
        var answers = scenario == "host" ? HostAnswers : Ec2Answers;
        var root = (YamlMappingNode)Load(InitOutput.ToYaml(answers)).RootNode;
        string? Value(string key) => root.Children.TryGetValue(new YamlScalarNode(key), out var node) ? ((YamlScalarNode)node).Value : null;

        var readBack = new InitAnswers
        {
            Platform = Value("platform"),
            ApiUrl = Value("api_url"),
            Proxy = Value("proxy"),
            Hosts = root.Children.TryGetValue(new YamlScalarNode("host"), out var hosts) ? [.. ((YamlSequenceNode)hosts).Children.Select(h => ((YamlScalarNode)h).Value!)] : [],
            NetworkId = Value("network_id"),
            Ec2Instance = Value("ec2_instance"),
            Ec2Connector = Value("ec2_connector"),
            RunConnector = Value("run_connector") == "true",
            Ec2Region = Value("ec2_region"),
            OptionProfile = Value("option_profile")!,
            Scanner = Value("scanner")!,
            ScanName = Value("scan_name"),
            PollInterval = Value("poll_interval")!,
            Timeout = Value("timeout")!,
            OnHostDown = Value("on_host_down")!,
            FailOnSeverity = Value("fail_on_severity") is { } severity ? int.Parse(severity, System.Globalization.CultureInfo.InvariantCulture) : null,
            FailOnQids = Value("fail_on_qids"),
            FailOnCves = Value("fail_on_cves"),
            FailOnCvss2 = Value("fail_on_cvss2"),
            FailOnCvss3 = Value("fail_on_cvss3"),
            FailOnPci = Value("fail_on_pci") == "true",
            IncludePotential = Value("include_potential") == "true",
            ExcludeQids = Value("exclude_qids"),
            ExcludeCves = Value("exclude_cves"),
        };

        InitOutput.ToYaml(readBack).ShouldBe(InitOutput.ToYaml(answers));
        readBack.Hosts.ShouldBe(answers.Hosts);
        (readBack with { Hosts = answers.Hosts }).ShouldBe(answers);
    }

    [Fact]
    public void PipelineArguments_AreTheConfigFileAlone_BecauseItHoldsTheCriteria() =>
        InitOutput.PipelineArguments("ci/qualys.yml").ShouldBe([new ScanArgument("--config", "ci/qualys.yml")]);

    private static List<string> Keys(string yaml) =>
        [.. ((YamlMappingNode)Load(yaml).RootNode).Children.Keys.Select(k => ((YamlScalarNode)k).Value!)];

    private static YamlDocument Load(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return stream.Documents[0];
    }
}
