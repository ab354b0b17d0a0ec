using ScanGate.Policy;

namespace ScanGate.Core.Tests.Policy;

/// <summary>original-plugin.md §11 items 4–10: what the plugin did wrong, and what we do instead.</summary>
public sealed class PluginFaultTests
{
    private static readonly string WorkDir = Directory.CreateTempSubdirectory("scangate-faults-").FullName;

    private static EffectivePolicy Flags(PolicyOverrides overrides) => PolicyBuilder.Build(overrides, WorkDir);

    [Fact]
    public void Fault4_UntrimmedExcludeList_IsTrimmed_AndLaterCriteriaStayOn()
    {
        // Plugin: " 105944" threw NumberFormatException and silently turned off severity, PCI and potential evaluation.
        var policy = Flags(new PolicyOverrides
        {
            ExcludeQids = "105943, 105944", FailOnSeverity = "4", FailOnPci = true, IncludePotential = true,
        });

        policy.ExcludeQids!.Contains(105944).ShouldBeTrue();
        PolicyEvaluatorTests.Run(policy, Rows.Vuln(5, qid: 105944)).Verdict.ShouldBe(Verdict.Pass);
        PolicyEvaluatorTests.Run(policy, Rows.Practice(4, qid: 1)).Verdict.ShouldBe(Verdict.Fail);
        PolicyEvaluatorTests.Run(policy, Rows.Vuln(1, qid: 1, pci: "yes")).Verdict.ShouldBe(Verdict.Fail);
    }

    [Fact]
    public void Fault4_CveExclusionWithLeadingSpace_Matches()
    {
        // The plugin's own help example: "CVE-2017-1000116, CVE-2018-2771" never matched its second entry.
        var policy = Flags(new PolicyOverrides { ExcludeCves = "CVE-2017-1000116, CVE-2018-2771", FailOnSeverity = "1" });

        PolicyEvaluatorTests.Run(policy, Rows.Vuln(5, cve: "CVE-2018-2771")).Verdict.ShouldBe(Verdict.Pass);
    }

    [Fact]
    public void Fault5_QidRangeWithSpaces_Works_AndDoesNotDisableOtherCriteria()
    {
        // Plugin: "100 - 200" passed validation, failed at runtime, and disabled every criterion parsed after QIDs.
        var policy = Flags(new PolicyOverrides { FailOnQids = "100 - 200", FailOnCves = "CVE-2021-44228", FailOnCvss3 = "9" });

        PolicyEvaluatorTests.Run(policy, Rows.Vuln(1, qid: 150)).Verdict.ShouldBe(Verdict.Fail);
        PolicyEvaluatorTests.Run(policy, Rows.Vuln(1, qid: 1, cve: "CVE-2021-44228")).Verdict.ShouldBe(Verdict.Fail);
        PolicyEvaluatorTests.Run(policy, Rows.Vuln(1, qid: 1, cvss3: "9.1")).Verdict.ShouldBe(Verdict.Fail);
    }

    [Fact]
    public void Fault6_ThreePartRange_IsRejected()
    {
        // Plugin: "1-2-3" was treated as 1-2.
        Should.Throw<PolicyConfigurationException>(() => Flags(new PolicyOverrides { FailOnQids = "1-2-3" }))
            .Message.ShouldContain("\"1-2-3\"");
    }

    [Fact]
    public void Fault6_HugeRange_IsMatchedWithoutExpanding()
    {
        // Plugin: expanded into an ArrayList (hundreds of MB, O(n) contains). Here: two longs and a binary search.
        var before = GC.GetAllocatedBytesForCurrentThread();
        var list = QidList.Parse("1-2000000000", "q");
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        list.Contains(1_999_999_999).ShouldBeTrue();
        list.Contains(2_000_000_001).ShouldBeFalse();
        allocated.ShouldBeLessThan(100_000);
    }

    [Theory]
    [InlineData("")]
    [InlineData("-")]
    [InlineData("N/A")]
    public void Fault7_NoScoreCvssValues_AreNeitherAnErrorNorAMatch(string raw)
    {
        // Plugin: NumberFormatException → NPE → opaque "Finishing the build." failure.
        var policy = Flags(new PolicyOverrides { FailOnCvss2 = "5" });

        PolicyEvaluatorTests.Run(policy, Rows.Vuln(cvss2: raw)).Verdict.ShouldBe(Verdict.Pass);
    }

    [Fact]
    public void Fault7_GarbageCvssValue_WithACvssRule_IsAClearErrorNotAPass()
    {
        var evaluator = new PolicyEvaluator(Flags(new PolicyOverrides { FailOnCvss2 = "5" }), new DateOnly(2026, 11, 28));

        var error = Should.Throw<DetectionValueException>(() => evaluator.Evaluate(Rows.Vuln(qid: 42, cvss2: "high")));

        error.Message.ShouldContain("cvss_base \"high\"");
        error.Message.ShouldContain("QID 42");
    }

    [Fact]
    public void Fault8_SeverityReason_OnlyWhenSeverityFailed()
    {
        // Plugin: "found Severity[] has more than configured" was logged even when severity passed.
        var summary = PolicyEvaluatorTests.Run(Flags(new PolicyOverrides { FailOnSeverity = "5", FailOnPci = true }), Rows.Vuln(3, pci: "yes"));

        summary.Verdict.ShouldBe(Verdict.Fail);
        summary.FailureReasons.ShouldBe(["pci: 1 PCI finding(s)"]);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("0.0")]
    [InlineData("")]
    public void Fault9_ZeroOrEmptyCvssThreshold_IsRejected_NotAFailOnEveryScore(string threshold)
    {
        // Plugin: the UI default 0.0 enabled the check and failed on any scored detection.
        Should.Throw<PolicyConfigurationException>(() => Flags(new PolicyOverrides { FailOnCvss3 = threshold }))
            .Message.ShouldContain("--fail-on-cvss3");
    }

    [Fact]
    public void Fault10_CveMatching_IsCaseInsensitive()
    {
        var policy = Flags(new PolicyOverrides { FailOnCves = "cve-2021-44228" });

        PolicyEvaluatorTests.Run(policy, Rows.Vuln(cve: "CVE-2021-44228")).Verdict.ShouldBe(Verdict.Fail);
    }

    [Fact]
    public void Fault10_CountsArePerDetectionRow_AndQidsFoundAreDistinct()
    {
        // Kept from the plugin on purpose (documented): counts are rows (host × QID × port), found QIDs are a set.
        var policy = Flags(new PolicyOverrides { FailOnSeverity = "4", FailOnQids = "7" });

        var summary = PolicyEvaluatorTests.Run(policy, Rows.Vuln(4, qid: 7), Rows.Vuln(4, qid: 7, ip: "10.0.0.6"));

        summary.Criteria[0].Found.ShouldBe(2L);
        ((IEnumerable<long>)summary.Criteria[1].Found).ShouldBe([7L]);
    }
}
