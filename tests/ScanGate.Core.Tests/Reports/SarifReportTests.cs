using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace ScanGate.Reports.Tests;

public sealed class SarifReportTests
{
    private static readonly Lazy<JsonSchema> Schema = new(() =>
        JsonSchema.FromText(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Reports", "Schemas", "sarif-2.1.0.json"))));

    [Fact]
    public async Task Render_Sample_IsValidSarif210()
    {
        var sarif = await ReportTestFiles.RenderAsync(ResultFixtures.SamplePath, ReportFormat.Sarif);
        AssertValid(sarif);
    }

    [Fact]
    public async Task Render_Payload_IsValidSarif210()
    {
        var sarif = await ReportTestFiles.RenderAsync(ReportTestFiles.PayloadPath(), ReportFormat.Sarif);
        AssertValid(sarif);
    }

    [Fact]
    public void Schema_RejectsABrokenLog_SoTheValidationCanFail()
    {
        var result = Schema.Value.Evaluate(JsonNode.Parse("""{"version":"2.1.0","runs":[{"tool":{"driver":{}},"results":[{"level":"fatal"}]}]}"""),
            new EvaluationOptions { OutputFormat = OutputFormat.List });
        result.IsValid.ShouldBeFalse();
    }

    [Fact]
    public async Task Render_Sample_HasARulePerQidAndAResultPerFinding()
    {
        var sarif = await ReportTestFiles.RenderAsync(ResultFixtures.SamplePath, ReportFormat.Sarif, sarifTarget: @".\ci\scan gate.yml");
        using var doc = JsonDocument.Parse(sarif);
        var run = doc.RootElement.GetProperty("runs")[0];
        var rules = run.GetProperty("tool").GetProperty("driver").GetProperty("rules").EnumerateArray().ToList();
        rules.Select(r => r.GetProperty("id").GetString()).ShouldBe(["QID-38170", "QID-86000", "QID-38628", "QID-105943", "QID-45017", "QID-91850", "QID-11827"]);
        rules[0].GetProperty("help").GetProperty("text").GetString().ShouldBe("Renew the certificate.");
        rules[0].GetProperty("properties").GetProperty("security-severity").GetString().ShouldBe("9.8");
        rules[4].GetProperty("properties").GetProperty("security-severity").GetString().ShouldBe("5.5"); // no CVSS: from severity 3

        var results = run.GetProperty("results").EnumerateArray().ToList();
        results.Count.ShouldBe(7);
        results[0].GetProperty("level").GetString().ShouldBe("error");
        results[1].GetProperty("level").GetString().ShouldBe("note");
        results[2].GetProperty("level").GetString().ShouldBe("warning");
        results[3].GetProperty("suppressions")[0].GetProperty("justification").GetString().ShouldBe("Excluded by qid 105943");
        results[5].GetProperty("ruleIndex").GetInt32().ShouldBe(5);
        results.ShouldAllBe(r => r.GetProperty("locations")[0].GetProperty("physicalLocation").GetProperty("artifactLocation").GetProperty("uri").GetString() == "ci/scan%20gate.yml");

        // Fingerprints are stable per host × QID × port and distinct between findings.
        var prints = results.Select(r => r.GetProperty("partialFingerprints").GetProperty(SarifReportWriter.FingerprintKey).GetString()).ToList();
        prints.Distinct(StringComparer.Ordinal).Count().ShouldBe(7);
    }

    [Fact]
    public async Task Render_NoTarget_PointsAtTheDefaultConfigFile()
    {
        var sarif = await ReportTestFiles.RenderAsync(ResultFixtures.SamplePath, ReportFormat.Sarif);
        using var doc = JsonDocument.Parse(sarif);
        doc.RootElement.GetProperty("runs")[0].GetProperty("results")[0].GetProperty("locations")[0]
            .GetProperty("physicalLocation").GetProperty("artifactLocation").GetProperty("uri").GetString().ShouldBe(ReportOptions.DefaultSarifTarget);
    }

    private static void AssertValid(string sarif)
    {
        var result = Schema.Value.Evaluate(JsonNode.Parse(sarif), new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });
        var errors = result.Details.Where(d => d.Errors is { Count: > 0 }).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}")).Take(10);
        result.IsValid.ShouldBeTrue(string.Join("\n", errors));
    }
}
