using ScanGate.Policy;

namespace ScanGate.Core.Tests.Policy;

public sealed class PolicyFileTests
{
    private readonly string _dir = Directory.CreateTempSubdirectory("scangate-policy-").FullName;

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Parse_FullYamlVocabulary()
    {
        const string yaml = """
            fail_on:
              severity: 4
              severity_counts: { 5: 1, 4: 3 }
              qids: "38170, 38173-38175"
              cves: [CVE-2021-44228, cve-2021-45046]
              cvss2: 7.5
              cvss3: 7
              pci: true
            warn_on:
              severity: 3
            include_potential: true
            exclude:
              qids: [105943, "105944"]
              cves: CVE-2017-1000116, CVE-2018-2771
            exceptions:
              - id: EXC-1
                qid: 38170
                hosts: [10.0.0.5]
                reason: vendor fix due
                expires: 2026-12-31
              - cve: CVE-2021-45046
                reason: not reachable
                expires: 2027-01-31
            """;

        var doc = PolicyFile.Parse(yaml, "policy.yml");

        doc.FailOn.Severity.ShouldBe(4);
        doc.FailOn.SeverityCounts.ShouldBe(new Dictionary<int, int> { [5] = 1, [4] = 3 });
        doc.FailOn.Qids!.Text.ShouldBe("38170,38173-38175");
        doc.FailOn.Cves!.Text.ShouldBe("CVE-2021-44228,CVE-2021-45046");
        (doc.FailOn.Cvss2, doc.FailOn.Cvss3, doc.FailOn.Pci).ShouldBe((7.5, 7.0, true));
        doc.WarnOn.Severity.ShouldBe(3);
        doc.IncludePotential.ShouldBe(true);
        doc.ExcludeQids!.Text.ShouldBe("105943,105944");
        doc.ExcludeCves!.Text.ShouldBe("CVE-2017-1000116,CVE-2018-2771");
        doc.Exceptions.Count.ShouldBe(2);
        doc.Exceptions[0].ShouldSatisfyAllConditions(
            e => e.Id.ShouldBe("EXC-1"), e => e.Qid.ShouldBe(38170), e => e.Hosts.ShouldBe(["10.0.0.5"]),
            e => e.Expires.ShouldBe(new DateOnly(2026, 12, 31)));
        doc.Exceptions[1].ShouldSatisfyAllConditions(e => e.Id.ShouldBe("EXC-2"), e => e.Cve.ShouldBe("CVE-2021-45046"), e => e.Hosts.ShouldBeEmpty());
    }

    [Fact]
    public void Parse_JsonIsAccepted()
    {
        var doc = PolicyFile.Parse("""{"fail_on": {"severity": 5, "qids": [38170]}, "include_potential": false}""", "policy.json");

        doc.FailOn.Severity.ShouldBe(5);
        doc.FailOn.Qids!.Contains(38170).ShouldBeTrue();
        doc.IncludePotential.ShouldBe(false);
    }

    [Theory]
    [InlineData("fail_on:\n  severity: 4\nfail_onn:\n  pci: true\n", "line 3", "\"fail_onn\"")]
    [InlineData("fail_on:\n  severity: 4\n  cvss: 7\n", "line 3", "\"fail_on.cvss\"")]
    [InlineData("exclude:\n  qid: 5\n", "line 2", "\"exclude.qid\"")]
    [InlineData("exceptions:\n  - qid: 5\n    reason: r\n    expires: 2026-12-31\n    owner: me\n", "line 5", "\"exceptions[1].owner\"")]
    public void Parse_UnknownKey_IsAnErrorNamingKeyAndLine(string yaml, string line, string key)
    {
        var error = Should.Throw<PolicyConfigurationException>(() => PolicyFile.Parse(yaml, "policy.yml"));

        error.Message.ShouldContain("policy.yml " + line);
        error.Message.ShouldContain("unknown key " + key);
    }

    [Theory]
    [InlineData("fail_on:\n  severity: 6\n", "6 is outside 1-5")]
    [InlineData("fail_on:\n  qids: 5-3\n", "\"5-3\"")]
    [InlineData("fail_on:\n  qids: [1-2-3]\n", "\"1-2-3\"")]
    [InlineData("fail_on:\n  cves: CVE-12\n", "\"CVE-12\"")]
    [InlineData("fail_on:\n  cvss3: 0\n", "outside (0, 10]")]
    [InlineData("fail_on:\n  cvss2: 10.5\n", "outside (0, 10]")]
    [InlineData("fail_on:\n  pci: maybe\n", "\"maybe\" is not true or false")]
    [InlineData("fail_on:\n  severity_counts: {6: 1}\n", "6 is outside 1-5")]
    [InlineData("fail_on:\n  severity_counts: {5: 0}\n", "\"0\" is not a count")]
    [InlineData("fail_on: [1]\n", "must be a mapping")]
    [InlineData("fail_on:\n  severity: [4]\n", "must be a single value")]
    [InlineData("fail_on: {severity: 4\n", "not valid YAML")]
    public void Parse_InvalidValue_IsAnErrorNamingTheEntry(string yaml, string expected)
    {
        Should.Throw<PolicyConfigurationException>(() => PolicyFile.Parse(yaml, "policy.yml")).Message.ShouldContain(expected);
    }

    [Theory]
    [InlineData("- qid: 5\n  expires: 2026-12-31\n", "reason is required")]
    [InlineData("- qid: 5\n  reason: r\n", "expires is required")]
    [InlineData("- qid: 5\n  reason: r\n  expires: 31/12/2026\n", "\"31/12/2026\" is not a date")]
    [InlineData("- reason: r\n  expires: 2026-12-31\n", "exactly one of qid or cve")]
    [InlineData("- qid: 5\n  cve: CVE-2021-44228\n  reason: r\n  expires: 2026-12-31\n", "exactly one of qid or cve")]
    [InlineData("- qid: abc\n  reason: r\n  expires: 2026-12-31\n", "qid \"abc\"")]
    [InlineData("- cve: CVE-1\n  reason: r\n  expires: 2026-12-31\n", "\"CVE-1\" is not a CVE id")]
    [InlineData("- {id: A, qid: 1, reason: r, expires: 2026-12-31}\n- {id: a, qid: 2, reason: r, expires: 2026-12-31}\n", "used twice")]
    [InlineData("qid: 5\n", "unknown key \"qid\"")]
    public void ParseExceptions_MalformedEntry_IsAConfigurationError(string yaml, string expected)
    {
        var error = Should.Throw<PolicyConfigurationException>(() => PolicyFile.ParseExceptions(yaml, "exceptions.yml"));

        error.Message.ShouldContain("exceptions.yml");
        error.Message.ShouldContain(expected);
    }

    [Fact]
    public void ParseExceptions_AcceptsAListOrAnExceptionsKey()
    {
        PolicyFile.ParseExceptions("- {qid: 1, reason: r, expires: 2026-12-31}\n", "x").ShouldHaveSingleItem().Qid.ShouldBe(1);
        PolicyFile.ParseExceptions("exceptions:\n  - {cve: cve-2021-44228, reason: r, expires: 2026-12-31}\n", "x")
            .ShouldHaveSingleItem().Cve.ShouldBe("CVE-2021-44228");
    }

    [Fact]
    public void Load_MissingFile_IsAConfigurationError()
    {
        Should.Throw<PolicyConfigurationException>(() => PolicyFile.Load(Path.Combine(_dir, "nope.yml"))).Message.ShouldContain("does not exist");
    }

    [Fact]
    public void Build_FlagsOverrideTheFileKeyByKey()
    {
        var policyFile = Write("policy.yml", "fail_on:\n  severity: 3\n  qids: 1\n  pci: false\ninclude_potential: true\nexclude:\n  qids: 9\n");

        var policy = PolicyBuilder.Build(new PolicyOverrides
        {
            PolicyFile = "policy.yml", FailOnSeverity = "5", FailOnPci = true, IncludePotential = false, ExcludeCves = "CVE-2021-44228",
        }, _dir);

        policy.FailOn.Severity.ShouldBe(5);
        policy.FailOn.Qids!.Text.ShouldBe("1");
        policy.FailOn.Pci.ShouldBeTrue();
        policy.IncludePotential.ShouldBeFalse();
        policy.ExcludeQids!.Text.ShouldBe("9");
        policy.ExcludeCves!.Text.ShouldBe("CVE-2021-44228");
        policy.PolicyFile.ShouldBe("policy.yml");
        File.Exists(policyFile).ShouldBeTrue();
    }

    [Fact]
    public void Build_ExceptionsFileAddsToThePolicyExceptions()
    {
        Write("policy.yml", "exceptions:\n  - {id: P-1, qid: 1, reason: r, expires: 2026-12-31}\n");
        Write("exceptions.yml", "- {id: F-1, cve: CVE-2021-44228, reason: r, expires: 2026-12-31}\n");

        var policy = PolicyBuilder.Build(new PolicyOverrides { PolicyFile = "policy.yml", ExceptionsFile = "exceptions.yml" }, _dir);

        policy.Exceptions.Select(e => e.Id).ShouldBe(["P-1", "F-1"]);
        policy.ExceptionsFile.ShouldBe("exceptions.yml");
    }

    [Theory]
    [InlineData("256")]
    [InlineData("-1")]
    [InlineData("x")]
    public void Build_InvalidWarnExitCode_IsAnError(string code)
    {
        Should.Throw<PolicyConfigurationException>(() => PolicyBuilder.Build(new PolicyOverrides { WarnExitCode = code }, _dir))
            .Message.ShouldContain("--warn-exit-code");
    }
}
