using Microsoft.Playwright;
using ScanGate.Reports.Tests;

namespace ScanGate.Reports.BrowserTests;

/// <summary>Opens real HTML reports in chromium: payloads stay text, filters/sorting/expansion work, no request leaves the file.</summary>
public sealed class HtmlReportBrowserTests
{
    private const string PwnedCheck = "() => window.__pwned === undefined && document.querySelectorAll('pwned, img, iframe, object, embed').length === 0 && document.scripts.length === 2";

    [Fact]
    public async Task Open_PayloadReportWithCspBypassed_NoScriptRunsAndPayloadShowsAsText()
    {
        var html = await RenderAsync(PayloadResult());
        await using var browser = await ReportBrowser.StartAsync(bypassCsp: true);
        await browser.OpenAsync(html);
        var page = browser.Page;

        (await page.EvaluateAsync<bool>(PwnedCheck)).ShouldBeTrue("a payload ran or added an element");
        (await page.Locator("#fbody tr.finding").CountAsync()).ShouldBe(6);
        (await page.Locator("#fbody tr.finding td.title").First.TextContentAsync())!.ShouldContain("<script>window.__pwned='script'</script>");
        (await page.Locator("#verdict h1 + p").TextContentAsync())!.ShouldContain("<img src=x onerror=");
        (await page.TitleAsync()).ShouldContain("<script>");

        // Expand every row: results, solution, CVEs and vectors are drawn as text too.
        var buttons = page.Locator("#fbody button.expand");
        for (var i = 0; i < 6; i++)
        {
            await page.Locator("#fbody tr.finding").Nth(i).Locator("button.expand").ClickAsync();
        }

        (await page.Locator("#fbody tr.detail").CountAsync()).ShouldBe(6);
        (await page.Locator("#fbody tr.detail pre").First.TextContentAsync())!.ShouldContain("<svg/onload=window.__pwned='svg'>");
        (await buttons.CountAsync()).ShouldBe(6);

        // Filters and search with payload text keep everything inert.
        await page.FillAsync("#f-text", "<script>");
        await page.WaitForFunctionAsync("() => document.querySelectorAll('#fbody tr.finding').length === 6");
        await page.FillAsync("#f-text", "onerror=\"window.__pwned='img'");
        (await page.Locator("#fbody tr.finding").CountAsync()).ShouldBe(6);

        (await page.EvaluateAsync<bool>(PwnedCheck)).ShouldBeTrue("a payload ran after interaction");
        browser.PageErrors.ShouldBeEmpty();
    }

    [Fact]
    public async Task Filters_EachFilter_ShowsTheMatchingRows()
    {
        var html = await RenderAsync(PayloadResult());
        await using var browser = await ReportBrowser.StartAsync(bypassCsp: false);
        await browser.OpenAsync(html);
        var page = browser.Page;

        async Task<int> Rows() => await page.Locator("#fbody tr.finding").CountAsync();
        async Task Reset()
        {
            await page.ClickAsync("#f-reset");
            await page.WaitForFunctionAsync("() => document.querySelectorAll('#fbody tr.finding').length === 6");
        }

        await page.SelectOptionAsync("#f-sev", "5");
        (await Rows()).ShouldBe(2);
        (await page.Locator("#fcount").TextContentAsync()).ShouldBe("2 of 6 findings match");
        await Reset();

        await page.SelectOptionAsync("#f-type", "potential");
        (await Rows()).ShouldBe(1);
        await Reset();

        await page.SelectOptionAsync("#f-status", "excluded");
        (await Rows()).ShouldBe(1);
        await page.SelectOptionAsync("#f-status", "fail");
        (await Rows()).ShouldBe(2);
        await Reset();

        await page.SelectOptionAsync("#f-pci", "yes");
        (await Rows()).ShouldBe(3);
        await Reset();

        await page.CheckAsync("#f-expl");
        (await Rows()).ShouldBe(2);
        await page.CheckAsync("#f-mal");
        (await Rows()).ShouldBe(1);
        await Reset();

        await page.FillAsync("#f-text", "#3 solution");
        await page.WaitForFunctionAsync("() => document.querySelectorAll('#fbody tr.finding').length === 1");
        (await page.Locator("#fbody td.qid").TextContentAsync()).ShouldBe("90003");
        await page.FillAsync("#f-text", "no such text anywhere");
        await page.WaitForFunctionAsync("() => document.querySelectorAll('#fbody tr.finding').length === 0");
        (await page.Locator("#pageinfo").TextContentAsync()).ShouldBe("No findings match the filters.");
        await Reset();

        // Sorting by QID, both ways.
        await page.ClickAsync("th button[data-sort=qid]");
        (await page.Locator("#fbody td.qid").AllTextContentsAsync()).ShouldBe(["90000", "90001", "90002", "90003", "90004", "90005"]);
        await page.ClickAsync("th button[data-sort=qid]");
        (await page.Locator("#fbody td.qid").First.TextContentAsync()).ShouldBe("90005");

        // With the CSP enforced, our own script and style ran (hashes match) and nothing was blocked.
        (await page.EvaluateAsync<string[]>("() => window.__cspViolations")).ShouldBeEmpty();
        (await page.EvaluateAsync<string>("() => getComputedStyle(document.getElementById('verdict')).backgroundColor")).ShouldBe("rgb(198, 40, 40)");
        (await page.EvaluateAsync<bool>(PwnedCheck)).ShouldBeTrue();
    }

    [Fact]
    public async Task Open_Report_MakesNoRequestBeyondItsOwnFileAndPrintsWithoutControls()
    {
        var html = await RenderAsync(ResultFixtures.SamplePath);
        await using var browser = await ReportBrowser.StartAsync(bypassCsp: false);
        await browser.OpenAsync(html);

        browser.Requests.ShouldBe([new Uri(html).AbsoluteUri]);
        await browser.Page.EmulateMediaAsync(new PageEmulateMediaOptions { Media = Media.Print });
        (await browser.Page.Locator("#filters").IsVisibleAsync()).ShouldBeFalse();
        (await browser.Page.Locator("#criteria table").IsVisibleAsync()).ShouldBeTrue();
        var pdf = await browser.Page.PdfAsync(new PagePdfOptions { Format = "A4", PrintBackground = true });
        pdf.Length.ShouldBeGreaterThan(10_000);
    }

    [Fact]
    public async Task Screenshots_SampleReport_OverviewAndFindings()
    {
        var html = await RenderAsync(ResultFixtures.SamplePath);
        await using var browser = await ReportBrowser.StartAsync(bypassCsp: false);
        await browser.OpenAsync(html);
        var page = browser.Page;
        var dir = ScreenshotDir();

        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(dir, "report-overview.png"), FullPage = false });

        await page.Locator("#fbody tr.finding").First.Locator("button.expand").ClickAsync();
        await page.Locator("#findings").ScrollIntoViewIfNeededAsync();
        await page.Locator("#findings").ScreenshotAsync(new LocatorScreenshotOptions { Path = Path.Combine(dir, "report-findings.png") });

        new FileInfo(Path.Combine(dir, "report-overview.png")).Length.ShouldBeGreaterThan(20_000);
        new FileInfo(Path.Combine(dir, "report-findings.png")).Length.ShouldBeGreaterThan(10_000);
    }

    [Fact]
    public async Task Open_FiftyThousandFindings_FiltersStayUsable()
    {
        var dir = Directory.CreateTempSubdirectory("scangate-browser-").FullName;
        var result = Path.Combine(dir, "big.json");
        ResultFixtures.WriteLarge(result, 50_000);
        var html = await RenderAsync(result);
        await using var browser = await ReportBrowser.StartAsync(bypassCsp: false);
        await browser.OpenAsync(html);
        var page = browser.Page;

        (await page.Locator("#fcount").TextContentAsync()).ShouldBe("50000 findings");
        (await page.Locator("#fbody tr.finding").CountAsync()).ShouldBe(100);
        await page.FillAsync("#f-text", "finding number 49999");
        await page.WaitForFunctionAsync("() => document.getElementById('fcount').textContent === '1 of 50000 findings match'", null, new PageWaitForFunctionOptions { Timeout = 60_000 });
        await page.ClickAsync("#f-reset");
        await page.SelectOptionAsync("#f-sev", "5");
        (await page.Locator("#fcount").TextContentAsync()).ShouldBe("10000 of 50000 findings match");
    }

    private static string PayloadResult()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("scangate-browser-").FullName, "payload-result.json");
        ResultFixtures.WritePayload(path);
        return path;
    }

    private static async Task<string> RenderAsync(string resultPath)
    {
        var output = Directory.CreateTempSubdirectory("scangate-browser-out-").FullName;
        var rendered = await ReportRenderer.RenderAsync(resultPath, [ReportFormat.Html], output, new ReportOptions(), TestContext.Current.CancellationToken);
        return rendered.Files.Single().Path;
    }

    /// <summary>docs/images/ when UPDATE_SCREENSHOTS=1 (the README shows them), else the test output folder.</summary>
    private static string ScreenshotDir()
    {
        if (string.Equals(Environment.GetEnvironmentVariable("UPDATE_SCREENSHOTS"), "1", StringComparison.Ordinal))
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ScanGate.slnx")))
            {
                dir = dir.Parent;
            }

            if (dir is not null)
            {
                var images = Path.Combine(dir.FullName, "docs", "images");
                Directory.CreateDirectory(images);
                return images;
            }
        }

        return Directory.CreateTempSubdirectory("scangate-screenshots-").FullName;
    }
}
