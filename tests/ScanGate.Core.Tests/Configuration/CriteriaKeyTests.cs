using ScanGate.Configuration;
using ScanGate.Infrastructure;
using ScanGate.Policy;

namespace ScanGate.Core.Tests.Configuration;

/// <summary>The criteria as scangate.yml keys and SCANGATE_* variables, layered like every other setting.</summary>
public sealed class CriteriaKeyTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 10, 0, 0, TimeSpan.Zero);
    private readonly string _directory = Directory.CreateTempSubdirectory("scangate-criteria-").FullName;
    private readonly DictionaryEnvironment _environment = new();
    private readonly Dictionary<string, IReadOnlyList<string>> _flags = new(StringComparer.Ordinal)
    {
        ["platform"] = ["US1"],
        ["username"] = ["alice"],
        ["host"] = ["192.0.2.10"],
    };

    public CriteriaKeyTests() => _environment["QUALYS_PASSWORD"] = "s3cret!";

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private ScanSettings Build(string yaml, string? configFile = null)
    {
        var path = Path.Combine(_directory, configFile ?? "scangate.yml");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, yaml);
        return ScanConfiguration.Build(new ConfigurationLayers(_flags, _environment, _directory, configFile), new(null, false), new StringReader(string.Empty), Now);
    }

    [Fact]
    public void Build_EveryCriteriaKeyInTheFile_BecomesTheEffectivePolicy()
    {
        File.WriteAllText(Path.Combine(_directory, "exceptions.yml"), "- { qid: 38628, reason: legacy TLS, expires: 2099-01-31 }\n");
        var settings = Build(
            "fail_on_severity: 4\nfail_on_qids: [38170, 38173-38175]\nfail_on_cves: 'cve-2021-44228, CVE-2020-0001'\n"
            + "fail_on_cvss2: 9\nfail_on_cvss3: '9.8'\nfail_on_pci: true\ninclude_potential: yes\n"
            + "exclude_qids: 105943\nexclude_cves: [CVE-2019-0001]\nexceptions: exceptions.yml\n");

        var policy = PolicyBuilder.Build(settings.Criteria, _directory);

        policy.FailOn.Severity.ShouldBe(4);
        policy.FailOn.Qids!.Text.ShouldBe("38170,38173-38175");
        policy.FailOn.Cves!.Text.ShouldBe("CVE-2021-44228,CVE-2020-0001");
        policy.FailOn.Cvss2.ShouldBe(9);
        policy.FailOn.Cvss3.ShouldBe(9.8);
        policy.FailOn.Pci.ShouldBeTrue();
        policy.IncludePotential.ShouldBeTrue();
        policy.ExcludeQids!.Text.ShouldBe("105943");
        policy.ExcludeCves!.Text.ShouldBe("CVE-2019-0001");
        policy.Exceptions.ShouldHaveSingleItem().Qid.ShouldBe(38628);
    }

    [Fact]
    public void Build_PathsInTheFile_AreRelativeToTheFile()
    {
        File.WriteAllText(Path.Combine(_directory, "policy.yml"), "fail_on:\n  severity: 5\n");
        Directory.CreateDirectory(Path.Combine(_directory, "ci"));
        File.WriteAllText(Path.Combine(_directory, "ci", "exceptions.yml"), "[]\n");

        var settings = Build("policy: ../policy.yml\nexceptions: exceptions.yml\nfail_on_cves: CVE-2021-44228\n", "ci/qualys.yml");

        settings.PolicyFile.ShouldBe(Path.Combine(_directory, "policy.yml"));
        settings.Criteria.PolicyFile.ShouldBe(settings.PolicyFile);
        settings.Criteria.ExceptionsFile.ShouldBe(Path.Combine(_directory, "ci", "exceptions.yml"));
        var policy = PolicyBuilder.Build(settings.Criteria, _directory);
        policy.FailOn.Severity.ShouldBe(5, "the policy file is the base");
        policy.FailOn.Cves!.Text.ShouldBe("CVE-2021-44228", "a criteria key overrides the policy file's key");
    }

    [Fact]
    public void Build_FlagAndVariable_OverrideTheFileCriteria()
    {
        _flags["fail_on_severity"] = ["5"];
        _environment["SCANGATE_FAIL_ON_QIDS"] = "1-9";
        _environment["SCANGATE_FAIL_ON_SEVERITY"] = "2";

        var criteria = Build("fail_on_severity: 3\nfail_on_qids: 38170\nfail_on_pci: true\n").Criteria;

        criteria.FailOnSeverity.ShouldBe("5");
        criteria.FailOnQids.ShouldBe("1-9");
        criteria.FailOnPci.ShouldBe(true);
    }

    [Fact]
    public void Build_NoCriteriaAnywhere_LeavesEveryCriterionUnset()
    {
        var criteria = Build("timeout: 60m\n").Criteria;

        criteria.ShouldBe(new PolicyOverrides());
    }

    [Theory]
    [InlineData("fail_on_severity: 6\n", "scangate.yml: fail_on_severity")]
    [InlineData("fail_on_qids: '5-3'\n", "scangate.yml: fail_on_qids: \"5-3\" is a range whose start is greater than its end.")]
    [InlineData("fail_on_cves: [CVE-12]\n", "scangate.yml: fail_on_cves: \"CVE-12\" is not a CVE id")]
    [InlineData("fail_on_cvss3: 0\n", "scangate.yml: fail_on_cvss3: 0 is outside (0, 10]")]
    [InlineData("fail_on_pci: maybe\n", "scangate.yml: fail_on_pci 'maybe': not a boolean")]
    public void Build_BadCriterionInTheFile_IsAConfigurationErrorNamingTheKey(string yaml, string message) =>
        Should.Throw<ConfigurationException>(() => Build(yaml)).Message.ShouldStartWith(message);

    [Fact]
    public void CriteriaFlags_GivenFlags_BecomeFlagLayerEntries()
    {
        var entries = ScanConfiguration.CriteriaFlags(new PolicyOverrides { FailOnSeverity = "4", FailOnPci = true, IncludePotential = false, ExceptionsFile = "ex.yml", PolicyFile = "p.yml" })
            .ToDictionary(e => e.Key, e => string.Join('|', e.Value), StringComparer.Ordinal);

        entries.ShouldBe(new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["policy"] = "p.yml", ["fail_on_severity"] = "4", ["fail_on_pci"] = "true", ["include_potential"] = "false", ["exceptions"] = "ex.yml",
        });
        ConfigurationLayers.CriteriaKeys.ShouldAllBe(key => ConfigurationLayers.KnownKeys.Contains(key));
    }
}
