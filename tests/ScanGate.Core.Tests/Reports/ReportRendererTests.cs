using ScanGate.Infrastructure;

namespace ScanGate.Reports.Tests;

public sealed class ReportRendererTests
{
    [Fact]
    public async Task Render_AllFormats_WritesEachFileAndCopiesTheResult()
    {
        var dir = ReportTestFiles.TempDir();
        var result = await ReportRenderer.RenderAsync(ResultFixtures.SamplePath, ReportFormats.Parse("html,junit,sarif,markdown,json"), dir, new ReportOptions(), TestContext.Current.CancellationToken);
        result.Files.Select(f => Path.GetFileName(f.Path)).ShouldBe(["scangate-report.html", "scangate-junit.xml", "scangate.sarif", "scangate-summary.md", "scangate-result.json"]);
        result.Files.ShouldAllBe(f => new FileInfo(f.Path).Length > 100);
        (await File.ReadAllTextAsync(Path.Combine(dir, "scangate-result.json"), TestContext.Current.CancellationToken))
            .ShouldBe(await File.ReadAllTextAsync(ResultFixtures.SamplePath, TestContext.Current.CancellationToken));
        Directory.GetFiles(dir, "*.tmp").ShouldBeEmpty();
        result.ConsoleLines.ShouldBeEmpty();
    }

    [Fact]
    public async Task Render_TruncatedResult_ThrowsAndWritesNothing()
    {
        var bytes = await File.ReadAllBytesAsync(ResultFixtures.SamplePath, TestContext.Current.CancellationToken);
        var dir = ReportTestFiles.TempDir();
        var path = Path.Combine(dir, "cut.json");
        await File.WriteAllBytesAsync(path, bytes[..(bytes.Length - 200)], TestContext.Current.CancellationToken);
        var output = Path.Combine(dir, "out");
        await Should.ThrowAsync<ResultFileException>(() => ReportRenderer.RenderAsync(path, ReportFormats.Default, output, new ReportOptions(), TestContext.Current.CancellationToken));
        Directory.Exists(output).ShouldBeFalse();
    }

    [Fact]
    public async Task Render_InGitHubActions_AppendsMarkdownToStepSummary()
    {
        var dir = ReportTestFiles.TempDir();
        var summary = Path.Combine(dir, "step_summary.md");
        await File.WriteAllTextAsync(summary, "previous step\n", TestContext.Current.CancellationToken);
        var env = new DictionaryEnvironment { ["GITHUB_STEP_SUMMARY"] = summary, ["GITHUB_ACTIONS"] = "true" };
        var result = await ReportRenderer.RenderAsync(ResultFixtures.SamplePath, [ReportFormat.Html], Path.Combine(dir, "out"), new ReportOptions { Environment = env }, TestContext.Current.CancellationToken);

        var text = await File.ReadAllTextAsync(summary, TestContext.Current.CancellationToken);
        text.ShouldStartWith("previous step\n## ❌ ScanGate: FAIL");
        result.Files.Select(f => f.Format).ShouldBe([ReportFormat.Html, ReportFormat.Markdown]);
        result.ConsoleLines.ShouldBeEmpty();
    }

    [Fact]
    public async Task Render_InAzurePipelines_PrintsUploadSummaryCommand()
    {
        var dir = ReportTestFiles.TempDir();
        var env = new DictionaryEnvironment { ["TF_BUILD"] = "True" };
        var result = await ReportRenderer.RenderAsync(ResultFixtures.SamplePath, [ReportFormat.Markdown], dir, new ReportOptions { Environment = env }, TestContext.Current.CancellationToken);
        result.ConsoleLines.ShouldBe(["##vso[task.uploadsummary]" + Path.Combine(dir, "scangate-summary.md")]);
    }

    [Theory]
    [InlineData("/work/repo/.github/workflows/scan.yml", "GITHUB_WORKSPACE", "/work/repo", ".github/workflows/scan.yml")]
    [InlineData("/builds/group/app/scangate.yml", "CI_PROJECT_DIR", "/builds/group/app", "scangate.yml")]
    [InlineData("/elsewhere/scangate.yml", "GITHUB_WORKSPACE", "/work/repo", "/elsewhere/scangate.yml")]
    [InlineData("ci/scan.yml", "GITHUB_WORKSPACE", "/work/repo", "ci/scan.yml")]
    [InlineData(null, "GITHUB_WORKSPACE", "/work/repo", ReportOptions.DefaultSarifTarget)]
    public void SarifTarget_AbsoluteUnderWorkspace_BecomesRepositoryRelative(string? target, string variable, string root, string expected)
    {
        var env = new DictionaryEnvironment { [variable] = root };
        ReportRenderer.SarifTarget(new ReportOptions { SarifTargetFile = target, Environment = env }).ShouldBe(expected);
    }

    [Fact]
    public async Task Render_OutsideCi_WritesNoSummaryUnlessAsked()
    {
        var dir = ReportTestFiles.TempDir();
        var result = await ReportRenderer.RenderAsync(ResultFixtures.SamplePath, [ReportFormat.JUnit], dir, new ReportOptions { Environment = new DictionaryEnvironment() }, TestContext.Current.CancellationToken);
        result.Files.Select(f => f.Format).ShouldBe([ReportFormat.JUnit]);
        File.Exists(Path.Combine(dir, "scangate-summary.md")).ShouldBeFalse();
    }
}
