using ScanGate.Policy;

namespace ScanGate.Core.Tests.Policy;

public sealed class ListParsingTests
{
    [Theory]
    [InlineData("38170", 38170, true)]
    [InlineData("38170", 38171, false)]
    [InlineData(" 38170 , 38173-38175 ", 38174, true)]
    [InlineData("38170,38173-38175", 38172, false)]
    [InlineData("100 - 200", 150, true)]
    [InlineData("100 - 200", 201, false)]
    [InlineData("1-100000000", 99999999, true)]
    [InlineData("5,1-3,2-4", 4, true)]
    [InlineData("5,1-3,2-4", 6, false)]
    [InlineData("38170,", 38170, true)]
    public void QidList_Contains_MatchesNumbersAndRanges(string text, long qid, bool expected)
    {
        QidList.Parse(text, "--fail-on-qids").Contains(qid).ShouldBe(expected);
    }

    [Theory]
    [InlineData("5-3", "\"5-3\"")]
    [InlineData("1-2-3", "\"1-2-3\"")]
    [InlineData("abc", "\"abc\"")]
    [InlineData("38170, abc", "\"abc\"")]
    [InlineData("0", "\"0\"")]
    [InlineData("-5", "\"-5\"")]
    [InlineData("1.5", "\"1.5\"")]
    public void QidList_InvalidEntry_IsAConfigurationErrorNamingTheEntry(string text, string named)
    {
        var error = Should.Throw<PolicyConfigurationException>(() => QidList.Parse(text, "--fail-on-qids"));

        error.Message.ShouldContain("--fail-on-qids");
        error.Message.ShouldContain(named);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" , ")]
    public void QidList_EmptyList_IsAnError(string text)
    {
        Should.Throw<PolicyConfigurationException>(() => QidList.Parse(text, "--exclude-qids")).Message.ShouldContain("empty");
    }

    [Fact]
    public void QidList_Text_IsTheNormalisedList()
    {
        QidList.Parse(" 38170 ,38173 - 38175", "x").Text.ShouldBe("38170,38173-38175");
    }

    [Theory]
    [InlineData("cve-2021-44228", "CVE-2021-44228", true)]
    [InlineData(" CVE-2017-1000116, CVE-2018-2771", "cve-2018-2771", true)]
    [InlineData("CVE-2021-44228", "CVE-2021-4422", false)]
    public void CveList_Contains_IgnoresCaseAndSpaces(string text, string cve, bool expected)
    {
        CveList.Parse(text, "--fail-on-cves").Contains(cve).ShouldBe(expected);
    }

    [Theory]
    [InlineData("CVE-12")]
    [InlineData("CVE-2021-123")]
    [InlineData("2021-44228")]
    [InlineData("CVE-20x1-44228")]
    [InlineData("CVE-2021-44228,abc")]
    public void CveList_InvalidEntry_IsAConfigurationErrorNamingTheEntry(string text)
    {
        var error = Should.Throw<PolicyConfigurationException>(() => CveList.Parse(text, "--fail-on-cves"));

        error.Message.ShouldContain("--fail-on-cves");
        error.Message.ShouldContain("is not a CVE id");
    }

    [Fact]
    public void CveList_Text_IsUpperCasedAndDeduplicated()
    {
        CveList.Parse("cve-2021-44228, CVE-2021-44228 ,cve-2021-45046", "x").Text.ShouldBe("CVE-2021-44228,CVE-2021-45046");
    }

    [Theory]
    [InlineData("7.5 (AV:N/AC:L/Au:N/C:P/I:P/A:P)", 7.5, "AV:N/AC:L/Au:N/C:P/I:P/A:P")]
    [InlineData("9.8", 9.8, null)]
    [InlineData(" 10.0 ", 10.0, null)]
    [InlineData("0.0", 0.0, null)]
    public void CvssScore_TryParse_TakesTheFirstToken(string raw, double score, string? vector)
    {
        CvssScore.TryParse(raw, out var parsed, out var parsedVector).ShouldBeTrue();
        parsed.ShouldBe(score);
        parsedVector.ShouldBe(vector);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("-")]
    [InlineData("N/A")]
    [InlineData("n/a")]
    public void CvssScore_TryParse_NoScoreValues_AreNotAScoreAndNotAnError(string? raw)
    {
        CvssScore.TryParse(raw, out var parsed, out _).ShouldBeTrue();
        parsed.ShouldBeNull();
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("11.0")]
    [InlineData("7,5")]
    public void CvssScore_TryParse_OtherText_IsMalformed(string raw)
    {
        CvssScore.TryParse(raw, out var parsed, out _).ShouldBeFalse();
        parsed.ShouldBeNull();
    }

    [Theory]
    [InlineData("0")]
    [InlineData("0.0")]
    [InlineData("")]
    [InlineData("10.1")]
    [InlineData("-1")]
    [InlineData("high")]
    public void CvssScore_ParseThreshold_OutsideZeroToTen_IsAnError(string text)
    {
        Should.Throw<PolicyConfigurationException>(() => CvssScore.ParseThreshold(text, "--fail-on-cvss3")).Message.ShouldContain("--fail-on-cvss3");
    }

    [Theory]
    [InlineData("0")]
    [InlineData("6")]
    [InlineData("four")]
    [InlineData("")]
    public void RuleSet_ParseSeverity_OutsideOneToFive_IsAnError(string text)
    {
        Should.Throw<PolicyConfigurationException>(() => RuleSet.ParseSeverity(text, "--fail-on-severity")).Message.ShouldContain("--fail-on-severity");
    }
}
