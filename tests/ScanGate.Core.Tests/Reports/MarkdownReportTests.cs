namespace ScanGate.Reports.Tests;

public sealed class MarkdownReportTests
{
    [Fact]
    public async Task Render_Sample_ShowsVerdictFailingCriteriaFirstAndWorstFindings()
    {
        var md = await ReportTestFiles.RenderAsync(ResultFixtures.SamplePath, ReportFormat.Markdown);
        md.ShouldStartWith("## ❌ ScanGate: FAIL — 10\\.0\\.0\\.5");
        var criteria = md.Split('\n').Where(l => l.StartsWith("| ", StringComparison.Ordinal) && (l.Contains("passed", StringComparison.Ordinal) || l.Contains("failed", StringComparison.Ordinal))).ToList();
        criteria.Count.ShouldBe(4);
        criteria[^1].ShouldContain("PCI");
        criteria[^1].ShouldContain("passed");
        md.ShouldContain("**Expired exceptions**");
        var worst = md[md.IndexOf("### Worst findings", StringComparison.Ordinal)..].Split('\n').Where(l => l.StartsWith("| ", StringComparison.Ordinal)).Skip(1).ToList();
        worst[0].ShouldContain("38170");
        worst[1].ShouldContain("91850");
        worst.ShouldNotContain(l => l.Contains("105943", StringComparison.Ordinal)); // excluded findings are not "worst"
    }

    [Fact]
    public async Task Render_Payload_NoRawMarkupOrLinks()
    {
        var md = await ReportTestFiles.RenderAsync(ReportTestFiles.PayloadPath(), ReportFormat.Markdown);
        var body = md[..md.LastIndexOf("<sub>", StringComparison.Ordinal)];
        body.ShouldNotContain("<");
        body.ShouldNotContain("](javascript");
        body.ShouldContain("&lt;script&gt;");
        foreach (var line in body.Split('\n').Where(l => l.StartsWith("| ", StringComparison.Ordinal)))
        {
            // Every table row keeps its column count: scanner pipes are escaped.
            line.Replace("\\|", "", StringComparison.Ordinal).Count(c => c == '|').ShouldBeOneOf(5, 7, 9);
        }
    }
}
