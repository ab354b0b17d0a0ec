using ScanGate.Policy;
using ScanGate.Results;

namespace ScanGate.Core.Tests.Policy;

public sealed class PolicyEvaluatorTests
{
    private static readonly DateOnly Today = new(2026, 11, 28);

    internal static EvaluationSummary Run(EffectivePolicy policy, params Detection[] rows) => Run(policy, out _, rows);

    internal static EvaluationSummary Run(EffectivePolicy policy, out List<FindingEvaluation> findings, params Detection[] rows)
    {
        var evaluator = new PolicyEvaluator(policy, Today);
        findings = [.. rows.Select(evaluator.Evaluate)];
        return evaluator.Complete();
    }

    private static EffectivePolicy Fail(RuleSet rules) => new() { FailOn = rules };

    [Fact]
    public void Severity_RowAtOrAboveThreshold_Fails()
    {
        var summary = Run(Fail(new RuleSet { Severity = 4 }), Rows.Vuln(3), Rows.Vuln(4), Rows.Vuln(5));

        summary.Verdict.ShouldBe(Verdict.Fail);
        var c = summary.Criteria.ShouldHaveSingleItem();
        (c.Key, c.Found, c.Passed).ShouldBe(("severity", (object)2L, false));
        summary.FailureReasons.ShouldBe(["severity: 2 finding(s) with severity >= 4"]);
    }

    [Fact]
    public void Severity_AllRowsBelowThreshold_Passes()
    {
        Run(Fail(new RuleSet { Severity = 4 }), Rows.Vuln(3), Rows.Vuln(1)).Verdict.ShouldBe(Verdict.Pass);
    }

    [Theory]
    [InlineData("vuln")]
    [InlineData("VULN")]
    [InlineData(" Vuln ")]
    public void Type_IsMatchedCaseInsensitively(string type)
    {
        Run(Fail(new RuleSet { Severity = 1 }), Rows.Vuln(5, type: type)).Verdict.ShouldBe(Verdict.Fail);
    }

    [Fact]
    public void Practice_IsJudgedOnlyWithIncludePotential()
    {
        var rules = new RuleSet { Severity = 3 };

        Run(Fail(rules), Rows.Practice(5)).Verdict.ShouldBe(Verdict.Pass);
        Run(Fail(rules) with { IncludePotential = true }, Rows.Practice(5)).Verdict.ShouldBe(Verdict.Fail);
    }

    [Fact]
    public void Ig_IsNeverJudged_ButCounted()
    {
        var summary = Run(Fail(new RuleSet { Severity = 1, Qids = QidList.Parse("86000", "q") }) with { IncludePotential = true }, Rows.Ig(86000));

        summary.Verdict.ShouldBe(Verdict.Pass);
        summary.Counts.InformationGathered.ShouldBe(1);
        summary.Counts.Evaluated.ShouldBe(0);
    }

    [Fact]
    public void UnknownType_IsAnErrorNamingTheValue()
    {
        var evaluator = new PolicyEvaluator(Fail(new RuleSet { Severity = 1 }), Today);

        Should.Throw<DetectionValueException>(() => evaluator.Evaluate(Rows.Vuln(type: "Confirmed"))).Message.ShouldContain("\"Confirmed\"");
    }

    [Theory]
    [InlineData("0")]
    [InlineData("6")]
    [InlineData("")]
    [InlineData("high")]
    public void SeverityOutsideOneToFive_OnACountedRow_IsAnError(string severity)
    {
        var evaluator = new PolicyEvaluator(Fail(new RuleSet { Severity = 1 }), Today);
        var row = new Detection { Qid = 1, Type = "Vuln", Severity = severity, Ip = "10.0.0.9" };

        Should.Throw<DetectionValueException>(() => evaluator.Evaluate(row)).Message.ShouldContain("10.0.0.9");
    }

    [Fact]
    public void Qids_MatchNumbersAndRanges_FoundIsDistinctQids()
    {
        var summary = Run(Fail(new RuleSet { Qids = QidList.Parse("38170, 38173-38175", "q") }),
            Rows.Vuln(qid: 38174), Rows.Vuln(qid: 38174, ip: "10.0.0.6"), Rows.Vuln(qid: 38172), Rows.Vuln(qid: 38170));

        var c = summary.Criteria.ShouldHaveSingleItem();
        c.Passed.ShouldBeFalse();
        ((IEnumerable<long>)c.Found).ShouldBe([38170L, 38174L]);
    }

    [Fact]
    public void Cves_AnyCveOfTheRowInTheList_Fails_FoundIsDistinctUpperCase()
    {
        var summary = Run(Fail(new RuleSet { Cves = CveList.Parse("CVE-2021-44228", "c") }),
            Rows.Vuln(cve: "CVE-2020-0001, cve-2021-44228"), Rows.Vuln(cve: "CVE-2020-0002"));

        var c = summary.Criteria.ShouldHaveSingleItem();
        c.Passed.ShouldBeFalse();
        ((IEnumerable<string>)c.Found).ShouldBe(["CVE-2021-44228"]);
    }

    [Fact]
    public void Cvss2AndCvss3_BothSet_EachCountsRowsAtOrAboveItsThreshold()
    {
        var summary = Run(Fail(new RuleSet { Cvss2 = 7.0, Cvss3 = 9.0 }),
            Rows.Vuln(cvss2: "7.0 (AV:N/AC:L/Au:N/C:P/I:P/A:P)", cvss3: "8.9"),
            Rows.Vuln(cvss2: "6.9", cvss3: "9.0 (CVSS:3.1/AV:N)"),
            Rows.Vuln(cvss2: null, cvss3: "N/A"));

        summary.Criteria.Select(c => (c.Key, c.Found, c.Passed)).ShouldBe([("cvss2", (object)1L, false), ("cvss3", (object)1L, false)]);
    }

    [Fact]
    public void Cvss_BelowThreshold_Passes()
    {
        Run(Fail(new RuleSet { Cvss3 = 9.0 }), Rows.Vuln(cvss3: "8.99")).Verdict.ShouldBe(Verdict.Pass);
    }

    [Fact]
    public void Pci_YesInAnyCase_Fails()
    {
        var summary = Run(Fail(new RuleSet { Pci = true }), Rows.Vuln(pci: "YES"), Rows.Vuln(pci: "no"));

        summary.Criteria.ShouldHaveSingleItem().Found.ShouldBe(1L);
        summary.Verdict.ShouldBe(Verdict.Fail);
    }

    [Fact]
    public void SeverityCounts_FailOnlyWhenACountReachesItsLimit()
    {
        var rules = new RuleSet { SeverityCounts = new Dictionary<int, int> { [5] = 1, [4] = 3 } };

        Run(Fail(rules), Rows.Vuln(4), Rows.Vuln(4), Rows.Vuln(3)).Verdict.ShouldBe(Verdict.Pass);
        var summary = Run(Fail(rules), Rows.Vuln(4), Rows.Vuln(4), Rows.Vuln(4));
        summary.Verdict.ShouldBe(Verdict.Fail);
        summary.FailureReasons.ShouldBe(["severity_counts: severity 4 found 3 time(s) (limit 3)"]);
        Run(Fail(rules), Rows.Vuln(5)).Verdict.ShouldBe(Verdict.Fail);
    }

    [Fact]
    public void ExcludeQids_DropsRowsBeforeTheCriteria()
    {
        var policy = Fail(new RuleSet { Severity = 1 }) with { ExcludeQids = QidList.Parse("105943, 105944", "e") };

        var summary = Run(policy, out var findings, Rows.Vuln(5, qid: 105944));

        summary.Verdict.ShouldBe(Verdict.Pass);
        summary.Counts.Excluded.ShouldBe(1);
        (findings[0].ExcludedBy, findings[0].ExcludedValue, findings[0].Evaluated).ShouldBe(("qid", "105944", false));
    }

    [Fact]
    public void ExcludeCves_DropsARowOnlyWhenEveryCveIsExcluded()
    {
        var policy = Fail(new RuleSet { Severity = 1 }) with { ExcludeCves = CveList.Parse("CVE-2020-0001, CVE-2020-0002", "e") };

        Run(policy, Rows.Vuln(5, cve: "cve-2020-0001,CVE-2020-0002")).Verdict.ShouldBe(Verdict.Pass);
        Run(policy, Rows.Vuln(5, cve: "CVE-2020-0001, CVE-2020-0003")).Verdict.ShouldBe(Verdict.Fail);
        Run(policy, Rows.Vuln(5, cve: null)).Verdict.ShouldBe(Verdict.Fail);
    }

    [Fact]
    public void ExcludeQidsAndCves_TogetherBothApply()
    {
        var policy = Fail(new RuleSet { Severity = 1 }) with
        {
            ExcludeQids = QidList.Parse("1-10", "e"),
            ExcludeCves = CveList.Parse("CVE-2020-0001", "e"),
        };

        var summary = Run(policy, Rows.Vuln(5, qid: 5), Rows.Vuln(5, qid: 50, cve: "CVE-2020-0001"));

        summary.Verdict.ShouldBe(Verdict.Pass);
        summary.Counts.Excluded.ShouldBe(2);
    }

    [Fact]
    public void WarnRule_AloneGivesWarn_AndFailWins()
    {
        var warnOnly = new EffectivePolicy { WarnOn = new RuleSet { Severity = 3 } };
        var both = warnOnly with { FailOn = new RuleSet { Severity = 5 } };

        var summary = Run(warnOnly, Rows.Vuln(3));
        summary.Verdict.ShouldBe(Verdict.Warn);
        summary.WarningReasons.ShouldBe(["severity: 1 finding(s) with severity >= 3"]);
        summary.FailureReasons.ShouldBeEmpty();
        Run(both, Rows.Vuln(3)).Verdict.ShouldBe(Verdict.Warn);
        Run(both, Rows.Vuln(5)).Verdict.ShouldBe(Verdict.Fail);
    }

    [Fact]
    public void NoCriteria_PassesWithAVisibleWarning()
    {
        var summary = Run(new EffectivePolicy(), Rows.Vuln(5));

        summary.Verdict.ShouldBe(Verdict.Pass);
        summary.Warnings.ShouldBe(["No criteria configured: the gate judges nothing."]);
        summary.CriteriaConfigured.ShouldBeFalse();
    }

    [Fact]
    public void Exception_ByQid_ExceptsTheRowAndCountsTheMatch()
    {
        var entry = new PolicyExceptionEntry { Id = "EXC-1", Qid = 38170, Reason = "vendor fix due", Expires = Today };
        var policy = Fail(new RuleSet { Severity = 1 }) with { Exceptions = [entry] };

        var summary = Run(policy, out var findings, Rows.Vuln(5, qid: 38170));

        summary.Verdict.ShouldBe(Verdict.Pass);
        findings[0].ExceptedBy.ShouldBe(entry);
        summary.Counts.Excepted.ShouldBe(1);
        summary.Exceptions.ShouldHaveSingleItem().ShouldBe(new ExceptionStatus(entry, "active", 1));
    }

    [Fact]
    public void Exception_Expired_StopsApplyingAndIsReported()
    {
        var entry = new PolicyExceptionEntry { Id = "EXC-1", Qid = 38170, Reason = "r", Expires = Today.AddDays(-1) };
        var policy = Fail(new RuleSet { Severity = 1 }) with { Exceptions = [entry] };

        var summary = Run(policy, Rows.Vuln(5, qid: 38170));

        summary.Verdict.ShouldBe(Verdict.Fail);
        summary.Exceptions.ShouldHaveSingleItem().Status.ShouldBe("expired");
        summary.Warnings.ShouldContain(w => w.Contains("EXC-1", StringComparison.Ordinal) && w.Contains("expired on 2026-11-27", StringComparison.Ordinal));
    }

    [Fact]
    public void Exception_LimitedToHosts_AppliesOnlyThere()
    {
        var entry = new PolicyExceptionEntry { Id = "E", Qid = 1, Hosts = ["10.0.0.5"], Reason = "r", Expires = Today };
        var policy = Fail(new RuleSet { Severity = 1 }) with { Exceptions = [entry] };

        Run(policy, Rows.Vuln(5, qid: 1, ip: "10.0.0.5")).Verdict.ShouldBe(Verdict.Pass);
        Run(policy, Rows.Vuln(5, qid: 1, ip: "10.0.0.6")).Verdict.ShouldBe(Verdict.Fail);
    }

    [Fact]
    public void Exception_ByCve_AppliesOnlyWhenEveryCveOfTheRowIsCovered()
    {
        var entry = new PolicyExceptionEntry { Id = "E", Cve = "CVE-2021-44228", Reason = "r", Expires = Today };
        var policy = Fail(new RuleSet { Severity = 1 }) with { Exceptions = [entry] };

        Run(policy, Rows.Vuln(5, cve: "cve-2021-44228")).Verdict.ShouldBe(Verdict.Pass);
        Run(policy, Rows.Vuln(5, cve: "CVE-2021-44228, CVE-2021-45046")).Verdict.ShouldBe(Verdict.Fail);
    }

    [Fact]
    public void Counts_AreBySeverityAndType_AfterExclusions()
    {
        var policy = Fail(new RuleSet { Severity = 5 }) with { ExcludeQids = QidList.Parse("9", "e") };

        var c = Run(policy, Rows.Vuln(5), Rows.Vuln(2), Rows.Practice(3), Rows.Vuln(4, qid: 9), Rows.Ig()).Counts;

        (c.Rows, c.Confirmed[5], c.Confirmed[2], c.Confirmed[4], c.Potential[3], c.InformationGathered, c.Evaluated, c.Excluded)
            .ShouldBe((5L, 1L, 1L, 0L, 1L, 1L, 2L, 1L));
    }

    [Fact]
    public void Findings_RecordMatchedAndWarnedCriteria()
    {
        var policy = new EffectivePolicy { FailOn = new RuleSet { Severity = 4, Pci = true }, WarnOn = new RuleSet { Cvss3 = 5 } };

        Run(policy, out var findings, Rows.Vuln(5, pci: "yes", cvss3: "6.0"), Rows.Vuln(2));

        CriteriaKeys.Names(findings[0].Matched).ShouldBe(["severity", "pci"]);
        CriteriaKeys.Names(findings[0].Warned).ShouldBe(["cvss3"]);
        findings[1].Matched.ShouldBe(CriterionSet.None);
    }

    [Fact]
    public void WorstFindings_FailingFirstThenSeverity_IndependentOfRowOrder()
    {
        var rows = new[] { Rows.Vuln(3, qid: 1), Rows.Vuln(5, qid: 2), Rows.Vuln(4, qid: 3, cve: "CVE-2021-44228"), Rows.Vuln(5, qid: 4, cvss3: "9.8") };
        var policy = Fail(new RuleSet { Cves = CveList.Parse("CVE-2021-44228", "c") });

        var forward = Run(policy, rows).WorstFindings.Select(w => w.Qid).ToList();
        var backward = Run(policy, [.. rows.Reverse()]).WorstFindings.Select(w => w.Qid).ToList();

        forward.ShouldBe([3L, 4L, 2L, 1L]);
        backward.ShouldBe(forward);
    }
}
