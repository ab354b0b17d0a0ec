using System.Text.Json;

namespace ScanGate.Cli.Tests.Evaluate;

public sealed class EvaluateCommandTests
{
    private const string Summary =
        "{\"launch_date\":\"11/28/2026 10:00:00\",\"active_hosts\":\"1\",\"total_hosts\":\"1\",\"type\":\"API\",\"status\":\"Finished\"," +
        "\"reference\":\"scan/1764324000.12345\",\"scan_title\":\"app_build_42\",\"ips\":\"10.0.0.5\"}";

    private static string Row(int severity, long qid, string type = "Vuln", string cve = "null", string cvss3 = "null", string pci = "no") =>
        $"{{\"ip\":\"10.0.0.5\",\"dns\":\"app\",\"qid\":{qid},\"title\":\"T{qid}\",\"type\":\"{type}\",\"severity\":\"{severity}\"," +
        $"\"cve_id\":{cve},\"cvss_base\":null,\"cvss3_base\":{cvss3},\"pci_vuln\":\"{pci}\",\"results\":\"r\",\"solution\":\"s\"}}";

    private static string Result(params string[] rows) =>
        "[{\"scan_report_template_title\":\"Scan Results\"},\n" + Summary + ",\n" + string.Concat(rows.Select(r => r + ",\n")) +
        "{\"target_distribution_across_scanner_appliances\":\"External : 10.0.0.5\"}]";

    private static string WriteResult(CliTestHost host, string text, string name = "result.json")
    {
        File.WriteAllText(Path.Combine(host.WorkingDirectory, name), text);
        return name;
    }

    private static JsonElement ReadResult(CliTestHost host, string dir = "scangate-out") =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(host.WorkingDirectory, dir, "scangate-result.json"))).RootElement;

    [Fact]
    public async Task Evaluate_SeverityFlagMatched_Exits1_WritesResultAndSummary()
    {
        var host = new CliTestHost();
        var file = WriteResult(host, Result(Row(5, 38170, cvss3: "\"9.8 (CVSS:3.1/AV:N)\""), Row(2, 11827)));

        var exit = await host.RunAsync("evaluate", file, "--fail-on-severity", "4");

        exit.ShouldBe(ExitCodes.PolicyFail);
        var result = ReadResult(host);
        result.GetProperty("verdict").GetString().ShouldBe("fail");
        result.GetProperty("exit_code").GetInt32().ShouldBe(1);
        result.GetProperty("generated_at").GetString().ShouldBe("2026-11-28T10:00:00Z");
        result.GetProperty("source").GetProperty("path").GetString().ShouldBe("result.json");
        result.GetProperty("criteria").GetProperty("severity").GetProperty("found").GetInt32().ShouldBe(1);
        File.Exists(Path.Combine(host.WorkingDirectory, "scangate-out", "evaluationResult.json")).ShouldBeTrue();
        var output = host.Out.ToString();
        output.ShouldContain("Verdict: FAIL (exit code 1)");
        output.ShouldContain("severity: 1 finding(s) with severity >= 4");
        output.ShouldContain("QID 38170");
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData("true", true)]
    [InlineData("false", false)]
    [InlineData(" FALSE ", false)]
    public async Task Evaluate_InGitHubActions_AppendsTheSummaryOnce_UnlessScangateCiSummaryIsFalse(string? setting, bool published)
    {
        var host = new CliTestHost();
        var stepSummary = Path.Combine(host.WorkingDirectory, "step-summary.md");
        host.Environment["GITHUB_STEP_SUMMARY"] = stepSummary;
        host.Environment["GITHUB_ACTIONS"] = "true";
        if (setting is not null)
        {
            host.Environment["SCANGATE_CI_SUMMARY"] = setting;
        }

        var file = WriteResult(host, Result(Row(5, 38170)));

        (await host.RunAsync("evaluate", file, "--fail-on-severity", "4")).ShouldBe(ExitCodes.PolicyFail);

        if (published)
        {
            var text = File.ReadAllText(stepSummary);
            text.ShouldContain("38170");
            text.Split(" ScanGate: ").Length.ShouldBe(2); // one summary heading: appended once
        }
        else
        {
            File.Exists(stepSummary).ShouldBeFalse();
        }
    }

    [Fact]
    public async Task Evaluate_NothingMatched_Exits0()
    {
        var host = new CliTestHost();
        var file = WriteResult(host, Result(Row(3, 1)));

        (await host.RunAsync("evaluate", file, "--fail-on-severity", "4", "--fail-on-qids", "38170, 38173 - 38175")).ShouldBe(0);
        ReadResult(host).GetProperty("verdict").GetString().ShouldBe("pass");
    }

    [Fact]
    public async Task Evaluate_NoCriteria_PassesWithAVisibleWarning()
    {
        var host = new CliTestHost();
        var file = WriteResult(host, Result(Row(5, 1)));

        (await host.RunAsync("evaluate", file)).ShouldBe(0);
        host.Out.ToString().ShouldContain("No criteria configured: the gate judges nothing.");
    }

    [Theory]
    [InlineData("--fail-on-qids", "5-3", "\"5-3\"")]
    [InlineData("--fail-on-qids", "1-2-3", "\"1-2-3\"")]
    [InlineData("--fail-on-qids", "abc", "\"abc\"")]
    [InlineData("--fail-on-cves", "CVE-12", "\"CVE-12\"")]
    [InlineData("--fail-on-severity", "6", "6 is outside 1-5")]
    [InlineData("--fail-on-cvss3", "0", "--fail-on-cvss3")]
    [InlineData("--fail-on-cvss2", "10.5", "--fail-on-cvss2")]
    [InlineData("--exclude-qids", "105943, x", "\"x\"")]
    [InlineData("--warn-exit-code", "300", "--warn-exit-code")]
    public async Task Evaluate_InvalidFlagValue_Exits2NamingTheEntry(string flag, string value, string named)
    {
        var host = new CliTestHost();
        var file = WriteResult(host, Result(Row(5, 1)));

        var exit = await host.RunAsync("evaluate", file, flag, value);

        exit.ShouldBe(ExitCodes.Usage);
        host.Error.ToString().ShouldContain(named);
        File.Exists(Path.Combine(host.WorkingDirectory, "scangate-out", "scangate-result.json")).ShouldBeFalse();
    }

    [Fact]
    public async Task Evaluate_TruncatedResult_Exits2SayingWhereItBreaks()
    {
        var host = new CliTestHost();
        var text = Result(Row(5, 1), Row(4, 2));
        var file = WriteResult(host, text[..(text.Length - 70)]);

        var exit = await host.RunAsync("evaluate", file, "--fail-on-severity", "5");

        exit.ShouldBe(ExitCodes.Usage);
        host.Error.ToString().ShouldContain("is not a complete json_extended result");
        File.Exists(Path.Combine(host.WorkingDirectory, "scangate-out", "scangate-result.json")).ShouldBeFalse();
    }

    [Fact]
    public async Task Evaluate_MissingFile_Exits2()
    {
        var host = new CliTestHost();

        (await host.RunAsync("evaluate", "nope.json", "--fail-on-severity", "5")).ShouldBe(ExitCodes.Usage);
        host.Error.ToString().ShouldContain("\"nope.json\" does not exist");
    }

    [Fact]
    public async Task Evaluate_Stdin_IsRead()
    {
        var host = new CliTestHost { In = new StringReader(Result(Row(5, 1))) };

        (await host.RunAsync("evaluate", "-", "--fail-on-severity", "5", "--output-dir", "out")).ShouldBe(ExitCodes.PolicyFail);
        ReadResult(host, "out").GetProperty("source").GetProperty("kind").GetString().ShouldBe("stdin");
    }

    [Fact]
    public async Task Evaluate_PolicyFileWithWarnRule_WarnsAndHonoursWarnExitCode()
    {
        var host = new CliTestHost();
        var file = WriteResult(host, Result(Row(3, 1, type: "practice")));
        File.WriteAllText(Path.Combine(host.WorkingDirectory, "policy.yml"), "warn_on:\n  severity: 3\ninclude_potential: true\n");

        (await host.RunAsync("evaluate", file, "--policy", "policy.yml")).ShouldBe(0);
        host.Out.ToString().ShouldContain("Verdict: WARN (exit code 0)");
        (await host.RunAsync("evaluate", file, "--policy", "policy.yml", "--warn-exit-code", "3")).ShouldBe(3);
    }

    [Fact]
    public async Task Evaluate_PolicyFileUnknownKey_Exits2NamingKeyAndLine()
    {
        var host = new CliTestHost();
        var file = WriteResult(host, Result(Row(3, 1)));
        File.WriteAllText(Path.Combine(host.WorkingDirectory, "policy.yml"), "fail_on:\n  severity: 4\n  sevrity: 3\n");

        (await host.RunAsync("evaluate", file, "--policy", "policy.yml")).ShouldBe(ExitCodes.Usage);
        host.Error.ToString().ShouldContain("policy.yml line 3: unknown key \"fail_on.sevrity\"");
    }

    [Fact]
    public async Task Evaluate_FlagsOverrideThePolicyFile()
    {
        var host = new CliTestHost();
        var file = WriteResult(host, Result(Row(4, 1)));
        File.WriteAllText(Path.Combine(host.WorkingDirectory, "policy.yml"), "fail_on:\n  severity: 4\n");

        (await host.RunAsync("evaluate", file, "--policy", "policy.yml", "--fail-on-severity", "5")).ShouldBe(0);
        ReadResult(host).GetProperty("policy").GetProperty("fail_on").GetProperty("severity").GetInt32().ShouldBe(5);
    }

    [Fact]
    public async Task Evaluate_ExceptionsFile_ExpiredEntryStopsApplyingAndIsReported()
    {
        var host = new CliTestHost();
        var file = WriteResult(host, Result(Row(5, 38170), Row(5, 38171)));
        File.WriteAllText(Path.Combine(host.WorkingDirectory, "exceptions.yml"),
            "- {id: OK-1, qid: 38170, reason: fix scheduled, expires: 2026-11-28}\n- {id: OLD-1, qid: 38171, reason: old, expires: 2026-11-27}\n");

        var exit = await host.RunAsync("evaluate", file, "--fail-on-severity", "5", "--exceptions", "exceptions.yml");

        exit.ShouldBe(ExitCodes.PolicyFail);
        var exceptions = ReadResult(host).GetProperty("exceptions");
        exceptions[0].GetProperty("status").GetString().ShouldBe("active");
        exceptions[1].GetProperty("status").GetString().ShouldBe("expired");
        ReadResult(host).GetProperty("criteria").GetProperty("severity").GetProperty("found").GetInt32().ShouldBe(1);
        host.Out.ToString().ShouldContain("Exception OLD-1 (QID 38171) expired on 2026-11-27");
    }

    [Fact]
    public async Task Evaluate_IncludePotentialAndPci_Flags()
    {
        var host = new CliTestHost();
        var file = WriteResult(host, Result(Row(2, 1, type: "Practice", pci: "yes")));

        (await host.RunAsync("evaluate", file, "--fail-on-pci")).ShouldBe(0);
        (await host.RunAsync("evaluate", file, "--fail-on-pci", "--include-potential")).ShouldBe(ExitCodes.PolicyFail);
    }

    [Fact]
    public async Task Evaluate_Help_ListsTheCriteriaFlags()
    {
        var host = new CliTestHost();

        (await host.RunAsync("evaluate", "--help")).ShouldBe(0);
        var help = host.Out.ToString();
        foreach (var flag in new[] { "--policy", "--fail-on-severity", "--fail-on-qids", "--fail-on-cves", "--fail-on-cvss2", "--fail-on-cvss3",
                     "--fail-on-pci", "--include-potential", "--exclude-qids", "--exclude-cves", "--exceptions", "--warn-exit-code", "--output-dir" })
        {
            help.ShouldContain(flag);
        }
    }
}
