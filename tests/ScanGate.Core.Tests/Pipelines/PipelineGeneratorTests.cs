// Test code compares ASCII literals; == on string is ordinal already.
#pragma warning disable MA0006, MA0002

using System.Diagnostics;
using System.IO.Enumeration;
using System.Text;
using ScanGate.Pipelines;
using ScanGate.Reports;
using YamlDotNet.RepresentationModel;

namespace ScanGate.Core.Tests.Pipelines;

public sealed class PipelineGeneratorTests
{
    // A host scan using most flags, with a proxy and awkward values (glob, quote, brackets).
    internal static readonly ScanArgument[] HostScan =
    [
        new("--fail-on-pci", null),
        new("--platform", "US2"),
        new("--host", "10.0.0.5"),
        new("--host", "2001:db8::/126"),
        new("--network-id", "1234"),
        new("--proxy", "http://proxy.corp.example:3128"),
        new("--ca-cert", "certs/corp-ca.pem"),
        new("--option-profile", "Initial Options"),
        new("--scanner", "all-in-network"),
        new("--scan-name", "[job_name]_build_[build_number] it's"),
        new("--poll-interval", "30s"),
        new("--timeout", "60*2"),
        new("--fail-on-severity", "4"),
        new("--fail-on-qids", "179203,170560-170590"),
        new("--fail-on-cves", "CVE-2021-44228"),
        new("--fail-on-cvss2", "9.0"),
        new("--fail-on-cvss3", "9.8"),
        new("--include-potential", null),
        new("--exclude-qids", "105943"),
        new("--exclude-cves", "CVE-2020-0001"),
        new("--exceptions", "qualys-exceptions.yml"),
        new("--policy", "qualys-policy.yml"),
        new("--on-host-down", "warn"),
        new("--leave-running", null),
        new("--webhook", "https://hooks.example.test/qualys"),
    ];

    // An EC2 scan driven by a config file, with a custom output directory and only some reports.
    internal static readonly ScanArgument[] Ec2Scan =
    [
        new("--config", "ci/scangate.yml"),
        new("--api-url", "https://qualysapi.private.example"),
        new("--ec2-instance", "i-0abc123"),
        new("--ec2-connector", "aws-prod"),
        new("--run-connector", null),
        new("--ec2-region", "eu-west-1"),
        new("--output-dir", "out/qualys"),
        new("--report", "junit,html"),
    ];

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var ci in new[] { "jenkins", "github", "gitlab", "azure" })
        {
            data.Add(ci, "host");
            data.Add(ci, "ec2");
        }

        return data;
    }

    internal static string Generate(string ci, string scenario) => PipelineGenerator.Generate(new PipelineRequest
    {
        Ci = ci switch { "jenkins" => CiSystem.Jenkins, "github" => CiSystem.GitHub, "gitlab" => CiSystem.GitLab, _ => CiSystem.Azure },
        Arguments = scenario == "host" ? HostScan : Ec2Scan,
        ToolVersion = "0.1.0",
        ToolSource = scenario == "ec2" ? "https://nuget.corp.example/v3/index.json" : null,
    });

    [Theory]
    [MemberData(nameof(Cases))]
    public void Generate_RepresentativeScan_MatchesGoldenFile(string ci, string scenario)
    {
        var text = Generate(ci, scenario);

        Golden.Verify($"{ci}-{scenario}.verified.{(ci == "jenkins" ? "groovy" : "yml")}", text);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Generate_AnyCi_NeverPutsASecretOrPasswordFlagInTheCommand(string ci, string scenario)
    {
        var text = Generate(ci, scenario);

        text.ShouldNotContain("--password");
        text.ShouldNotContain("--username");
        if (ci != "jenkins")
        {
            ScanCommandTokens(text).ShouldNotContain(t => t.Contains("QUALYS_PASSWORD", StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData("github", "host")]
    [InlineData("github", "ec2")]
    [InlineData("gitlab", "host")]
    [InlineData("gitlab", "ec2")]
    [InlineData("azure", "host")]
    [InlineData("azure", "ec2")]
    public void Generate_YamlCi_ParsesAndTheScanCommandRoundTripsEveryFlag(string ci, string scenario)
    {
        var text = Generate(ci, scenario);
        var yaml = new YamlStream();
        yaml.Load(new StringReader(text));
        var root = (YamlMappingNode)yaml.Documents[0].RootNode;

        var tokens = ScanCommandTokens(text);
        tokens.Take(2).ShouldBe([".scangate/tool/scangate", "scan"]);
        var parsed = ParseFlags(tokens.Skip(2).ToList());
        var expected = (scenario == "host" ? HostScan : Ec2Scan).ToList();
        foreach (var argument in expected)
        {
            parsed.ShouldContain(argument, $"{argument.Flag} {argument.Value} lost in the {ci} fragment");
        }

        parsed.ShouldContain(new ScanArgument("--warn-exit-code", "10"));
        foreach (var flag in parsed.Select(p => p.Flag).Where(f => f != "--warn-exit-code"))
        {
            ScanFlags.Find(flag).ShouldNotBeNull($"{flag} is not a scangate scan flag");
        }

        var outputDir = scenario == "host" ? "scangate-out" : "out/qualys";
        switch (ci)
        {
            case "github":
                var steps = (YamlSequenceNode)Node(root, "jobs", "qualys-scan", "steps");
                var gate = steps.Children.OfType<YamlMappingNode>().Single(s => Scalar(s, "name") == "Qualys scan gate");
                Scalar(gate, "env", "QUALYS_USERNAME").ShouldBe("${{ secrets.QUALYS_USERNAME }}");
                Scalar(gate, "env", "QUALYS_PASSWORD").ShouldBe("${{ secrets.QUALYS_PASSWORD }}");
                var uses = steps.Children.OfType<YamlMappingNode>().Select(s => Scalar(s, "uses")).ToList();
                uses.ShouldContain("actions/upload-artifact@v4");
                uses.Contains("github/codeql-action/upload-sarif@v3").ShouldBe(scenario == "host");
                break;
            case "gitlab":
                var job = (YamlMappingNode)Node(root, "qualys-scan");
                Scalar(job, "artifacts", "when").ShouldBe("always");
                Scalar(job, "artifacts", "reports", "junit").ShouldBe($"{outputDir}/*junit*.xml");
                ((YamlSequenceNode)Node(job, "allow_failure", "exit_codes")).Children.Select(c => c.ToString()).ShouldBe(["10"]);
                break;
            case "azure":
                var azureSteps = ((YamlSequenceNode)Node(root, "steps")).Children.OfType<YamlMappingNode>().ToList();
                var scan = azureSteps.Single(s => Scalar(s, "displayName") == "Qualys scan gate");
                Scalar(scan, "env", "QUALYS_PASSWORD").ShouldBe("$(QUALYS_PASSWORD)");
                var tasks = azureSteps.Select(s => Scalar(s, "task")).ToList();
                tasks.ShouldContain("PublishTestResults@2");
                tasks.ShouldContain("PublishPipelineArtifact@1");
                break;
        }
    }

    [Theory]
    [InlineData(CiSystem.GitHub, "--sarif-target .github/workflows/qualys-scan.yml")]
    [InlineData(CiSystem.GitLab, "--sarif-target .gitlab-ci.yml")]
    [InlineData(CiSystem.Azure, "--sarif-target azure-pipelines.yml")]
    [InlineData(CiSystem.Jenkins, "sarifTarget: 'Jenkinsfile'")]
    public void Generate_SarifReport_PointsItAtTheFileTheFragmentIsSavedAs(CiSystem ci, string expected)
    {
        // Not scangate's default scangate.yml: a repository set up with `scangate pipeline` has no such file, and
        // GitHub code scanning would show the alerts on a file that does not exist.
        var text = PipelineGenerator.Generate(new PipelineRequest { Ci = ci, Arguments = [new("--host", "10.0.0.5")] });

        text.ShouldContain(expected);
        text.ShouldContain(PipelineConventions.PipelineFile(ci));
        PipelineGenerator.Generate(new PipelineRequest { Ci = ci, Arguments = [new("--host", "10.0.0.5"), new("--report", "junit")] })
            .ShouldNotContain("arif", customMessage: "no SARIF report, no SARIF target");
        PipelineGenerator.Generate(new PipelineRequest { Ci = ci, Arguments = [new("--host", "10.0.0.5"), new("--sarif-target", "ci/scangate.yml")] })
            .ShouldNotContain(PipelineConventions.PipelineFile(ci) + (ci == CiSystem.Jenkins ? "'" : "\n"), customMessage: "a given target is kept");
    }

    [Fact]
    public void Generate_WithProxy_ExplainsWhereProxyCredentialsGo()
    {
        Generate("github", "host").ShouldContain("# A proxy that needs a login: keep http://user:password@host:port in a secret HTTPS_PROXY and drop --proxy.");
        Generate("jenkins", "host").ShouldContain("// proxyCredentialsId: 'qualys-proxy',");
        Generate("github", "ec2").ShouldNotContain("proxy", Case.Insensitive);
    }

    [Fact]
    public void Conventions_ReportFileNames_MatchWhatTheReportWritersWrite()
    {
        FileSystemName.MatchesSimpleExpression(PipelineConventions.JUnitGlob, ReportFormats.FileName(ReportFormat.JUnit)).ShouldBeTrue();
        FileSystemName.MatchesSimpleExpression(PipelineConventions.SarifGlob, ReportFormats.FileName(ReportFormat.Sarif)).ShouldBeTrue();
        FileSystemName.MatchesSimpleExpression(PipelineConventions.MarkdownGlob, ReportFormats.FileName(ReportFormat.Markdown)).ShouldBeTrue();
        PipelineConventions.HtmlReport.ShouldBe(ReportFormats.FileName(ReportFormat.Html));
        ReportFormats.Parse(PipelineConventions.DefaultReports).Count.ShouldBe(5, "the fragments ask for every report format");
    }

    [Fact]
    public void Generate_Jenkins_EscapesGroovyStringsAndListsRepeatedHosts()
    {
        var text = PipelineGenerator.Generate(new PipelineRequest
        {
            Ci = CiSystem.Jenkins,
            Arguments = [new("--host", "10.0.0.1"), new("--host", "10.0.0.2"), new("--scan-name", @"a'b\c $x")],
        });

        text.ShouldContain("host: ['10.0.0.1', '10.0.0.2'],");
        text.ShouldContain(@"scanName: 'a\'b\\c $x',");
    }

    [Theory]
    [InlineData("--no-such-flag", "x", "--no-such-flag")]
    [InlineData("--password", "hunter2", "--password")]
    [InlineData("--fail-on-pci", "true", "takes no value")]
    [InlineData("--timeout", " ", "a value is required")]
    [InlineData("--scan-name", "a\nb", "control characters")]
    [InlineData("--scan-name", "${{ secrets.X }}", "CI expression")]
    [InlineData("--scan-name", "$(System.AccessToken)", "CI expression")]
    [InlineData("--output-dir", "out dir", "--output-dir")]
    public void Generate_BadArgument_IsRefusedNamingTheFlag(string flag, string value, string message)
    {
        var request = new PipelineRequest { Ci = CiSystem.GitHub, Arguments = [new(flag, value)] };

        Should.Throw<PipelineException>(() => PipelineGenerator.Generate(request)).Message.ShouldContain(message);
    }

    [Fact]
    public void Generate_SameFlagTwice_IsRefused()
    {
        var request = new PipelineRequest { Ci = CiSystem.GitLab, Arguments = [new("--timeout", "1h"), new("--timeout", "2h")] };

        Should.Throw<PipelineException>(() => PipelineGenerator.Generate(request)).Message.ShouldBe("--timeout: given more than once.");
    }

    [Theory]
    [InlineData("plain-value_1.2/x:y,z=@%+")]
    [InlineData("[job_name] it's *")]
    [InlineData("'\"$HOME `id` \\")]
    public void Shell_AnyValue_IsReadBackVerbatimByARealShell(string value)
    {
        var start = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("printf %s " + PipelineGenerator.Shell(value));
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();

        output.ShouldBe(value);
    }

    /// <summary>The shell words of the scangate scan command in a generated YAML fragment.</summary>
    internal static List<string> ScanCommandTokens(string text)
    {
        var lines = text.Split('\n');
        var start = Array.FindIndex(lines, l => l.TrimStart().StartsWith(".scangate/tool/scangate scan", StringComparison.Ordinal));
        start.ShouldBeGreaterThanOrEqualTo(0, "no scan command in the fragment");
        var command = new StringBuilder();
        for (var i = start; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.EndsWith('\\'))
            {
                command.Append(line.AsSpan(0, line.Length - 1)).Append(' ');
                continue;
            }

            command.Append(line.Replace(" || rc=$?", string.Empty, StringComparison.Ordinal));
            break;
        }

        return ShellWords(command.ToString());
    }

    // Minimal POSIX word splitting: single quotes, double quotes, blanks.
    private static List<string> ShellWords(string command)
    {
        var words = new List<string>();
        var current = new StringBuilder();
        var inWord = false;
        for (var i = 0; i < command.Length; i++)
        {
            var c = command[i];
            if (c is '\'' or '"')
            {
                var end = command.IndexOf(c, i + 1);
                current.Append(command, i + 1, end - i - 1);
                i = end;
                inWord = true;
            }
            else if (c == ' ')
            {
                if (inWord)
                {
                    words.Add(current.ToString());
                    current.Clear();
                    inWord = false;
                }
            }
            else
            {
                current.Append(c);
                inWord = true;
            }
        }

        if (inWord)
        {
            words.Add(current.ToString());
        }

        return words;
    }

    private static List<ScanArgument> ParseFlags(List<string> tokens)
    {
        var result = new List<ScanArgument>();
        for (var i = 0; i < tokens.Count; i++)
        {
            tokens[i].ShouldStartWith("--");
            var hasValue = i + 1 < tokens.Count && !tokens[i + 1].StartsWith("--", StringComparison.Ordinal);
            result.Add(new ScanArgument(tokens[i], hasValue ? tokens[++i] : null));
        }

        return result;
    }

    private static YamlNode Node(YamlNode node, params string[] path)
    {
        foreach (var key in path)
        {
            node = ((YamlMappingNode)node).Children[new YamlScalarNode(key)];
        }

        return node;
    }

    private static string? Scalar(YamlNode node, params string[] path)
    {
        var current = node;
        foreach (var key in path)
        {
            if (current is not YamlMappingNode map || !map.Children.TryGetValue(new YamlScalarNode(key), out var next))
            {
                return null;
            }

            current = next;
        }

        return (current as YamlScalarNode)?.Value;
    }
}
