using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AngleSharp.Html.Parser;

namespace ScanGate.Reports.Tests;

public sealed class HtmlReportTests
{
    [Fact]
    public async Task Render_Payload_NoMarkupFromScannerTextReachesTheDom()
    {
        var html = await ReportTestFiles.RenderAsync(ReportTestFiles.PayloadPath(), ReportFormat.Html);
        var document = new HtmlParser().ParseDocument(html);

        // Exactly two scripts: the JSON data block and our hashed script. No payload element, no event handler attribute.
        var scripts = document.QuerySelectorAll("script");
        scripts.Length.ShouldBe(2);
        scripts[0].GetAttribute("type").ShouldBe("application/json");
        document.QuerySelectorAll("img, svg foreignObject, iframe, object, embed, pwned").Length.ShouldBe(0);
        foreach (var element in document.All)
        {
            element.Attributes.Where(a => a.Name.StartsWith("on", StringComparison.OrdinalIgnoreCase)).ShouldBeEmpty();
        }

        // The payload is shown as text in the static parts.
        document.QuerySelector("#verdict")!.TextContent.ShouldContain("<script>window.__pwned='script'</script>");
        document.QuerySelector("#exceptions")!.TextContent.ShouldContain("onerror=");
        document.Title!.ShouldContain("<img src=x");
    }

    [Fact]
    public async Task Render_Payload_DataBlockHasNoAngleBracketAndRoundTripsTheText()
    {
        var html = await ReportTestFiles.RenderAsync(ReportTestFiles.PayloadPath(), ReportFormat.Html);
        var document = new HtmlParser().ParseDocument(html);
        var data = document.QuerySelector("#scangate-findings")!.TextContent;
        data.ShouldNotContain("<");
        data.ShouldNotContain(">");
        using var json = JsonDocument.Parse(data);
        json.RootElement.GetArrayLength().ShouldBe(6);
        json.RootElement[0].GetProperty("title").GetString().ShouldBe(ResultFixtures.Payload + " #0 title");
        json.RootElement[0].GetProperty("status").GetString().ShouldBe("fail");
        json.RootElement[5].GetProperty("status").GetString().ShouldBe("excluded");
        json.RootElement[3].GetProperty("status").GetString().ShouldBe("excepted");
    }

    [Fact]
    public async Task Render_Sample_CspAllowsOnlyTheEmbeddedScriptAndStyleByHash()
    {
        var html = await ReportTestFiles.RenderAsync(ResultFixtures.SamplePath, ReportFormat.Html);
        var document = new HtmlParser().ParseDocument(html);
        var csp = document.QuerySelector("meta[http-equiv='Content-Security-Policy']")!.GetAttribute("content")!;
        csp.ShouldStartWith("default-src 'none';");
        csp.ShouldNotContain("unsafe");
        csp.ShouldNotContain("http");
        var script = document.QuerySelectorAll("script").Single(s => s.GetAttribute("type") is null).TextContent;
        var style = document.QuerySelector("style")!.TextContent;
        csp.ShouldContain("script-src '" + Hash(script) + "'");
        csp.ShouldContain("style-src '" + Hash(style) + "'");

        // Self-contained: nothing is loaded from elsewhere.
        document.QuerySelectorAll("[src], link[href]").Length.ShouldBe(0);
        html.ShouldNotContain("http://");
        html.ShouldNotContain("https://");
    }

    [Fact]
    public async Task Render_Sample_ShowsVerdictChartsCriteriaAndExceptions()
    {
        var html = await ReportTestFiles.RenderAsync(ResultFixtures.SamplePath, ReportFormat.Html);
        var document = new HtmlParser().ParseDocument(html);
        document.QuerySelector("#verdict")!.ClassList.Contains("verdict-fail").ShouldBeTrue();
        document.QuerySelector("#chart-confirmed h3")!.TextContent.ShouldBe("Confirmed (4)");
        document.QuerySelector("#chart-potential h3")!.TextContent.ShouldBe("Potential (1)");
        var rows = document.QuerySelectorAll("#criteria tbody tr").Select(r => r.TextContent).ToList();
        rows.Count.ShouldBe(4);
        rows[1].ShouldContain("38170,38173-38175");
        rows[1].ShouldContain("failed");
        rows[3].ShouldContain("passed");
        document.QuerySelector("#warn-criteria")!.TextContent.ShouldContain("sev 3: 1");
        var expired = document.QuerySelectorAll("#exceptions tr.expired");
        expired.Length.ShouldBe(1);
        expired[0].TextContent.ShouldContain("EXC-2");
    }

    private static string Hash(string text) => "sha256-" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
