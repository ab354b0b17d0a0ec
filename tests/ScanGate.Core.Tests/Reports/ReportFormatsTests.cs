namespace ScanGate.Reports.Tests;

public sealed class ReportFormatsTests
{
    [Fact]
    public void Parse_NullOrBlank_GivesJsonHtmlJUnit()
    {
        ReportFormats.Parse(null).ShouldBe([ReportFormat.Json, ReportFormat.Html, ReportFormat.JUnit]);
        ReportFormats.Parse("  ").ShouldBe([ReportFormat.Json, ReportFormat.Html, ReportFormat.JUnit]);
    }

    [Fact]
    public void Parse_ListWithSpacesCaseAndDuplicates_KeepsFirstSeenOrder()
    {
        ReportFormats.Parse(" SARIF, html,markdown ,junit,html,json").ShouldBe(
            [ReportFormat.Sarif, ReportFormat.Html, ReportFormat.Markdown, ReportFormat.JUnit, ReportFormat.Json]);
    }

    [Fact]
    public void Parse_UnknownFormat_NamesTheValueAndTheOption()
    {
        var error = Should.Throw<ReportFormatException>(() => ReportFormats.Parse("html,pdf", "--report"));
        error.Message.ShouldContain("'pdf'");
        error.Message.ShouldContain("--report");
        error.Message.ShouldContain("html, junit, sarif, markdown, json");
    }

    [Fact]
    public void Parse_EmptyItem_IsRejected()
    {
        Should.Throw<ReportFormatException>(() => ReportFormats.Parse("html,,junit")).Message.ShouldContain("empty format name");
    }
}
