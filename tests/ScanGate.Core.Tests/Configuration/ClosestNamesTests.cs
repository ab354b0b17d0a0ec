using ScanGate.Configuration;

namespace ScanGate.Core.Tests.Configuration;

public sealed class ClosestNamesTests
{
    private static readonly string[] Options = ["--host", "--fail-on-cves", "--fail-on-cvss2", "--fail-on-cvss3", "--fail-on-qids", "--username", "--report"];

    [Theory]
    [InlineData("--fail-on-cve", "--fail-on-cves")]
    [InlineData("--hots", "--host")]
    [InlineData("--HOST", "--host")]
    [InlineData("-host", "--host")]
    [InlineData("--user", "--username")]
    [InlineData("--fail-on-cvss", "--fail-on-cves,--fail-on-cvss2,--fail-on-cvss3")]
    [InlineData("--format", "")]
    [InlineData("--zzz", "")]
    public void Find_MistypedOption_GivesTheBestMatchesOnly(string typed, string expected) =>
        ClosestNames.Find(typed, Options, ignoredPrefix: "-").ShouldBe(expected.Length == 0 ? [] : expected.Split(','));

    [Theory]
    [InlineData("abc", "abc", 0)]
    [InlineData("abc", "acb", 1)]
    [InlineData("kitten", "sitting", 3)]
    [InlineData("", "abc", 3)]
    public void Distance_CountsEditsAndNeighbourSwaps(string a, string b, int distance) =>
        ClosestNames.Distance(a, b).ShouldBe(distance);

    [Fact]
    public void JoinAlternatives_ReadsAsASentence()
    {
        ClosestNames.JoinAlternatives(["a"]).ShouldBe("a");
        ClosestNames.JoinAlternatives(["a", "b", "c"]).ShouldBe("a, b or c");
    }
}
