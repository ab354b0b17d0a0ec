using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using ScanGate.Policy;
using ScanGate.Results;

namespace ScanGate.Core.Tests.Policy;

public sealed class EvaluationRunnerTests
{
    private readonly string _out = Directory.CreateTempSubdirectory("scangate-runner-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 10, 0, 0, TimeSpan.Zero));

    private ResultWriterOptions Output => new() { OutputDirectory = _out, Time = _time, Source = new ResultSource("file", "qualys_scan_1.json") };

    private Task<EvaluationOutcome> RunAsync(string result, EffectivePolicy policy, ResultWriterOptions? output = null) =>
        EvaluationRunner.RunAsync(Rows.Stream(result), policy, output ?? Output, TestContext.Current.CancellationToken);

    /// <summary>A result that exercises every finding field and state: matched, warned, excluded, excepted, potential, IG.</summary>
    internal static string GoldenResult() => Rows.JsonExtended(
    [
        Rows.Vuln(5, 38170, "CVE-2021-44228, CVE-2021-45046", "7.5 (AV:N/AC:L/Au:N/C:P/I:P/A:P)", "9.8 (CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H)", "yes",
            title: "Apache Log4j RCE <script>\"x\"</script>"),
        Rows.Vuln(3, 11827, cvss3: "5.3", title: "HTTP Security Header Not Detected"),
        Rows.Vuln(4, 105943, title: "Excluded by QID"),
        Rows.Vuln(4, 20000, "CVE-2018-2771", title: "Excluded by CVE"),
        Rows.Vuln(4, 38173, cvss2: "-", cvss3: "", title: "Excepted on this host"),
        Rows.Practice(4, 45000),
        Rows.Ig(86000),
    ]);

    internal static EffectivePolicy GoldenPolicy() => new()
    {
        FailOn = new RuleSet
        {
            Severity = 5, Qids = QidList.Parse("38170,38173-38175", "q"), Cves = CveList.Parse("CVE-2021-44228", "c"), Cvss3 = 9.0, Pci = true,
            SeverityCounts = new Dictionary<int, int> { [4] = 3 },
        },
        WarnOn = new RuleSet { Severity = 3 },
        ExcludeQids = QidList.Parse("105943", "e"),
        ExcludeCves = CveList.Parse("CVE-2018-2771", "e"),
        Exceptions =
        [
            new PolicyExceptionEntry { Id = "EXC-1", Qid = 38173, Hosts = ["10.0.0.5"], Reason = "vendor fix due", Expires = new DateOnly(2026, 12, 31) },
            new PolicyExceptionEntry { Id = "EXC-2", Cve = "CVE-2021-44228", Reason = "old waiver", Expires = new DateOnly(2026, 1, 31) },
        ],
        ExceptionsFile = "exceptions.yml",
    };

    [Fact]
    public async Task RunAsync_GoldenResult_MatchesTheVerifiedFiles()
    {
        var outcome = await RunAsync(GoldenResult(), GoldenPolicy());

        outcome.Verdict.ShouldBe(Verdict.Fail);
        outcome.ExitCode.ShouldBe(ExitCodes.PolicyFail);
        Golden.Verify("scangate-result.fail.verified.json", await File.ReadAllTextAsync(outcome.ResultPath, TestContext.Current.CancellationToken));
        Golden.Verify("evaluationResult.fail.verified.json", await File.ReadAllTextAsync(outcome.EvaluationResultPath!, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task RunAsync_NoCriteria_MatchesTheVerifiedFiles()
    {
        var outcome = await RunAsync(Rows.JsonExtended([Rows.Vuln(5)]), new EffectivePolicy());

        outcome.Verdict.ShouldBe(Verdict.Pass);
        Golden.Verify("scangate-result.nocriteria.verified.json", await File.ReadAllTextAsync(outcome.ResultPath, TestContext.Current.CancellationToken));
        Golden.Verify("evaluationResult.nocriteria.verified.json", outcome.PluginEvaluationResultJson + "\n");
    }

    [Fact]
    public async Task RunAsync_ResultIsValidJson_FindingsLastInInputOrder_WithoutIgRows()
    {
        var outcome = await RunAsync(GoldenResult(), GoldenPolicy());

        using var document = JsonDocument.Parse(await File.ReadAllBytesAsync(outcome.ResultPath, TestContext.Current.CancellationToken));
        var root = document.RootElement;
        root.EnumerateObject().Last().Name.ShouldBe("findings");
        root.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("qid").GetInt64())
            .ShouldBe([38170L, 11827L, 105943L, 20000L, 38173L, 45000L]);
        root.GetProperty("findings")[0].GetProperty("title").GetString().ShouldBe("Apache Log4j RCE <script>\"x\"</script>");
        outcome.FindingsWritten.ShouldBe(6);
    }

    [Fact]
    public async Task RunAsync_WarnVerdict_ExitsZeroUnlessWarnExitCodeIsSet()
    {
        var policy = new EffectivePolicy { WarnOn = new RuleSet { Severity = 3 } };

        (await RunAsync(Rows.JsonExtended([Rows.Vuln(3)]), policy)).ExitCode.ShouldBe(0);
        var outcome = await RunAsync(Rows.JsonExtended([Rows.Vuln(3)]), policy with { WarnExitCode = 3 });
        outcome.Verdict.ShouldBe(Verdict.Warn);
        outcome.ExitCode.ShouldBe(3);
        JsonDocument.Parse(outcome.PluginEvaluationResultJson).RootElement.GetProperty("evaluationStatus").GetString().ShouldBe("pass");
    }

    [Fact]
    public async Task RunAsync_TruncatedResult_ThrowsAndLeavesNoResultFile()
    {
        var stale = Path.Combine(_out, EvaluationRunner.ResultFileName);
        await File.WriteAllTextAsync(stale, "{\"verdict\":\"pass\"}", TestContext.Current.CancellationToken);
        var full = Rows.JsonExtended([Rows.Vuln(5), Rows.Vuln(4)]);

        await Should.ThrowAsync<ScanResultFormatException>(() => RunAsync(full[..(full.Length - 60)], new EffectivePolicy { FailOn = new RuleSet { Severity = 5 } }));

        File.Exists(stale).ShouldBeFalse();
        Directory.GetFiles(_out).ShouldBeEmpty();
    }

    [Fact]
    public async Task RunAsync_MalformedCvssWithACvssRule_IsAFormatErrorNamingTheElement()
    {
        var result = Rows.JsonExtended([Rows.Vuln(2), Rows.Vuln(3, qid: 77, cvss3: "high")]);

        var error = await Should.ThrowAsync<ScanResultFormatException>(() => RunAsync(result, new EffectivePolicy { FailOn = new RuleSet { Cvss3 = 7 } }));

        error.Message.ShouldContain("Result element 3");
        error.Message.ShouldContain("cvss3_base \"high\"");
        error.ElementIndex.ShouldBe(3);
    }

    [Fact]
    public async Task RunAsync_NoHostScanned_IsNotAPass_ExitCode4()
    {
        var result = Rows.JsonExtended([], appendixJson: "{\"hosts_not_scanned_host_not_alive_ip\":\"10.0.0.5\"}");

        var outcome = await RunAsync(result, new EffectivePolicy { FailOn = new RuleSet { Severity = 5 } });

        outcome.Verdict.ShouldBe(Verdict.Fail);
        outcome.ExitCode.ShouldBe(ExitCodes.NoResult);
        outcome.Summary.FailureReasons[0].ShouldContain("no host was scanned");
        outcome.Summary.Warnings.ShouldContain(w => w.Contains("10.0.0.5", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunAsync_PluginArtifactWrapper_IsAccepted()
    {
        var wrapped = "{\"data\":" + Rows.JsonExtended([Rows.Vuln(5)]) + ",\"evaluationResult\":{\"evaluationStatus\":\"pass\"}}";

        var outcome = await RunAsync(wrapped, new EffectivePolicy { FailOn = new RuleSet { Severity = 5 } });

        outcome.Verdict.ShouldBe(Verdict.Fail);
    }

    [Fact]
    public async Task RunAsync_ScanOverlay_FillsLifecycleFields()
    {
        var output = Output with
        {
            Source = new ResultSource("scan", null),
            Scan = new ScanOverlay { Id = "12345", State = "Finished", ApiCalls = 7, ElapsedSeconds = 380.5, StartedAt = _time.GetUtcNow() },
        };

        var outcome = await RunAsync(Rows.JsonExtended([Rows.Vuln(1)]), new EffectivePolicy(), output);

        using var document = JsonDocument.Parse(await File.ReadAllBytesAsync(outcome.ResultPath, TestContext.Current.CancellationToken));
        var scan = document.RootElement.GetProperty("scan");
        scan.GetProperty("id").GetString().ShouldBe("12345");
        scan.GetProperty("ref").GetString().ShouldBe("scan/1764324000.12345");
        scan.GetProperty("api_calls").GetInt32().ShouldBe(7);
        scan.GetProperty("elapsed_seconds").GetDouble().ShouldBe(380.5);
        scan.GetProperty("started_at").GetString().ShouldBe("2026-11-28T10:00:00Z");
        document.RootElement.GetProperty("source").GetProperty("kind").GetString().ShouldBe("scan");
    }

    [Fact]
    public void SummaryText_ShowsVerdictReasonsAndWorstFindings_WithoutControlCharacters()
    {
        var evaluator = new PolicyEvaluator(new EffectivePolicy { FailOn = new RuleSet { Severity = 4 } }, new DateOnly(2026, 11, 28));
        evaluator.Evaluate(Rows.Vuln(5, 1, title: "bad\u001b[31mtitle"));
        var summary = evaluator.Complete();
        var outcome = new EvaluationOutcome
        {
            Verdict = summary.Verdict, ExitCode = 1, ResultPath = "out/scangate-result.json", Summary = summary, FindingsWritten = 1,
            Scan = new Dictionary<string, string?>(StringComparer.Ordinal), PluginEvaluationResultJson = "{}",
        };

        var text = EvaluationSummaryText.Render(outcome);

        text.ShouldStartWith("Verdict: FAIL (exit code 1)\n");
        text.ShouldContain("  - severity: 1 finding(s) with severity >= 4\n");
        text.ShouldContain("QID 1 ");
        text.ShouldContain("bad [31mtitle");
        text.ShouldNotContain("\u001b");
    }
}

/// <summary>Golden files in tests/ScanGate.Core.Tests/Expectations; UPDATE_GOLDEN=1 rewrites them.</summary>
internal static class Golden
{
    public static void Verify(string name, string actual, [CallerFilePath] string caller = "")
    {
        var path = Path.Combine(Path.GetDirectoryName(caller)!, "..", "Expectations", name);
        if (string.Equals(Environment.GetEnvironmentVariable("UPDATE_GOLDEN"), "1", StringComparison.Ordinal) || !File.Exists(path))
        {
            File.WriteAllText(path, actual);
            Environment.GetEnvironmentVariable("UPDATE_GOLDEN").ShouldBe("1", $"Golden file {name} was missing and has been written; review it and rerun.");
        }

        actual.ReplaceLineEndings("\n").ShouldBe(File.ReadAllText(path).ReplaceLineEndings("\n"), $"differs from {name} (UPDATE_GOLDEN=1 rewrites it)");
    }
}
