namespace ScanGate.Reports.Tests;

/// <summary>Pins every format, byte for byte, for the hand-written sample and the payload fixture (UPDATE_GOLDEN=1 rewrites).</summary>
public sealed class ReportGoldenTests
{
    [Theory]
    [InlineData(ReportFormat.Html, "sample.verified.html")]
    [InlineData(ReportFormat.JUnit, "sample.verified.junit.xml")]
    [InlineData(ReportFormat.Sarif, "sample.verified.sarif")]
    [InlineData(ReportFormat.Markdown, "sample.verified.md")]
    public async Task Render_Sample_MatchesGolden(ReportFormat format, string golden)
    {
        var text = await ReportTestFiles.RenderAsync(ResultFixtures.SamplePath, format, sarifTarget: "ci/scangate.yml");
        ReportTestFiles.VerifyGolden(golden, text);
    }

    [Theory]
    [InlineData(ReportFormat.JUnit, "payload.verified.junit.xml")]
    [InlineData(ReportFormat.Markdown, "payload.verified.md")]
    [InlineData(ReportFormat.Sarif, "payload.verified.sarif")]
    public async Task Render_Payload_MatchesGolden(ReportFormat format, string golden)
    {
        var text = await ReportTestFiles.RenderAsync(ReportTestFiles.PayloadPath(), format);
        ReportTestFiles.VerifyGolden(golden, text);
    }

    [Fact]
    public async Task Render_Twice_IsByteIdentical()
    {
        foreach (var format in new[] { ReportFormat.Html, ReportFormat.JUnit, ReportFormat.Sarif, ReportFormat.Markdown })
        {
            var first = await ReportTestFiles.RenderAsync(ResultFixtures.SamplePath, format);
            var second = await ReportTestFiles.RenderAsync(ResultFixtures.SamplePath, format);
            second.ShouldBe(first, format.ToString());
        }
    }
}
