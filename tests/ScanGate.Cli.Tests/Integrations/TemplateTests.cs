// Test code compares ASCII literals; == on string is ordinal already.
#pragma warning disable MA0006, MA0002, CA1308, CA1416
using System.Diagnostics;
using System.Globalization;
using System.Text;
using ScanGate.Configuration;
using ScanGate.Pipelines;
using YamlDotNet.RepresentationModel;

namespace ScanGate.Cli.Tests.Integrations;

/// <summary>
/// The CI templates in integrations/: they parse, every scan flag has an input, every input maps onto a real flag,
/// and their shell really builds the expected <c>scangate scan</c> command (run with bash and a fake scangate).
/// </summary>
public sealed class TemplateTests
{
    private static readonly string Root = FindRoot();

    private static readonly string[] GitHubActionInputs =
        ["username", "password", "version", "tool-source", "setup-dotnet", "fail-on-warn", "summary", "upload-artifact", "upload-sarif", "sarif-category"];

    private static readonly string[] AzureToolParameters = ["version", "toolSource", "useDotNet"];

    [Fact]
    public void GitHubAction_Inputs_AreExactlyTheScanFlagsPlusTheActionGroup()
    {
        var action = Load("integrations/github/action.yml");
        var inputs = Keys(Map(action, "inputs"));

        var flagInputs = inputs.Except(GitHubActionInputs, StringComparer.Ordinal).ToList();
        flagInputs.Select(i => "--" + i).ShouldBe(ScanFlags.All.Select(f => f.Name), ignoreOrder: true);
        Scalar(action, "runs", "using").ShouldBe("composite");
    }

    [Fact]
    public void GitHubAction_GateStep_PassesEveryInputThroughTheEnvironmentOnly()
    {
        var gate = GitHubGateStep();
        var env = Map(gate, "env");
        var run = Scalar(gate, "run")!;

        run.ShouldNotContain("${{");
        foreach (var flag in ScanFlags.All)
        {
            var input = flag.Name[2..];
            var variable = "SG_" + input.ToUpperInvariant().Replace('-', '_');
            Scalar(env, variable).ShouldBe($"${{{{ inputs.{input} }}}}");
            run.ShouldContain("\"${" + variable);
        }

        Scalar(env, "QUALYS_PASSWORD").ShouldBe("${{ inputs.password || env.QUALYS_PASSWORD }}");
        Steps(Load("integrations/github/action.yml")).Select(s => Scalar(s, "uses")).ShouldContain("github/codeql-action/upload-sarif@v3");
    }

    [Fact]
    public async Task GitHubAction_GateScript_BuildsTheScanCommandFromInputs()
    {
        var run = await RunScript(Scalar(GitHubGateStep(), "run")!, "SG_", AllInputs("SG_"), exitCode: 1);

        run.Arguments.ShouldBe(ExpectedArguments);
        run.Environment.ShouldBe("password-in-env");
        run.Outputs.ShouldContain("exit-code=1");
        run.ExitCode.ShouldBe(0, "the gate step records the code; the last step fails the job after the uploads");
    }

    [Theory]
    [InlineData("false", "exit-code=0")]
    [InlineData("true", "exit-code=10")]
    public async Task GitHubAction_WarnVerdict_PassesWithAWarningUnlessFailOnWarn(string failOnWarn, string output)
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal) { ["SG_HOST"] = "10.0.0.1", ["SG_FAIL_ON_WARN"] = failOnWarn };

        var run = await RunScript(Scalar(GitHubGateStep(), "run")!, "SG_", variables, exitCode: 10);

        run.Outputs.ShouldContain(output);
        run.Stdout.ShouldContain("::warning title=ScanGate::");
    }

    [Fact]
    public async Task GitHubAction_BadBoolean_IsAConfigurationError()
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal) { ["SG_FAIL_ON_PCI"] = "yes" };

        var run = await RunScript(Scalar(GitHubGateStep(), "run")!, "SG_", variables, exitCode: 0);

        run.Outputs.ShouldContain("exit-code=2");
        run.Stdout.ShouldContain("fail-on-pci must be true or false (got 'yes')");
        run.Arguments.ShouldBeEmpty("scangate must not run");
    }

    [Fact]
    public async Task GitHubAction_NoSarifTarget_PointsTheAlertsAtTheCallingWorkflow()
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["SG_HOST"] = "10.0.0.1", ["GITHUB_WORKFLOW_REF"] = "acme/app/.github/workflows/gate.yml@refs/heads/main",
        };

        var run = await RunScript(Scalar(GitHubGateStep(), "run")!, "SG_", variables, exitCode: 0);

        run.Arguments.ShouldContain("--sarif-target");
        run.Arguments[run.Arguments.IndexOf("--sarif-target") + 1].ShouldBe(".github/workflows/gate.yml");
    }

    [Theory]
    [InlineData("ci/gitlab.yml", "ci/gitlab.yml")]
    [InlineData("", ".gitlab-ci.yml")]
    public async Task GitLabTemplate_NoSarifTarget_PointsSarifAtThePipelineFile(string configPath, string expected)
    {
        var job = Map(Load("integrations/gitlab/scangate.gitlab-ci.yml"), ".scangate");
        var script = ((YamlSequenceNode)Node(job, "script")).Children.Select(c => ((YamlScalarNode)c).Value!).Single(s => s.Contains("args=(scan)", StringComparison.Ordinal));
        var variables = new Dictionary<string, string>(StringComparer.Ordinal) { ["SCANGATE_HOST"] = "10.0.0.1", ["CI_CONFIG_PATH"] = configPath };

        var run = await RunScript(script, "SCANGATE_", variables, exitCode: 0);

        run.Arguments[run.Arguments.IndexOf("--sarif-target") + 1].ShouldBe(expected);
    }

    [Fact]
    public void AzureTemplate_SarifTarget_DefaultsToThePipelineFile()
    {
        var parameters = ((YamlSequenceNode)Node(Load("integrations/azure/scangate.azure-pipelines.yml"), "parameters")).Children;

        Scalar(parameters.Single(p => Scalar(p, "name") == "sarifTarget"), "default").ShouldBe(PipelineConventions.PipelineFile(CiSystem.Azure));
    }

    [Fact]
    public void GitLabTemplate_Variables_CoverEveryScanFlag_AndPublishReports()
    {
        var job = Map(Load("integrations/gitlab/scangate.gitlab-ci.yml"), ".scangate");
        var variables = Keys(Map(job, "variables"));

        foreach (var flag in ScanFlags.All)
        {
            variables.ShouldContain("SCANGATE_" + flag.Name[2..].ToUpperInvariant().Replace('-', '_'));
        }

        Scalar(job, "artifacts", "when").ShouldBe("always");
        Scalar(job, "artifacts", "reports", "junit").ShouldBe("$SCANGATE_OUTPUT_DIR/*junit*.xml");
        ((YamlSequenceNode)Node(job, "allow_failure", "exit_codes")).Children.Select(c => c.ToString()).ShouldBe(["10"]);
    }

    [Fact]
    public void GitLabTemplate_Defaults_NeverOverrideTheConfigFile()
    {
        // scangate reads SCANGATE_<KEY> itself, and a variable outranks scangate.yml: a default of 'false' for
        // SCANGATE_INCLUDE_POTENTIAL or SCANGATE_RUN_CONNECTOR would silently override the file's true.
        // output_dir is the exception: the artifacts paths need the variable, and the script passes it as a flag.
        var variables = Map(Map(Load("integrations/gitlab/scangate.gitlab-ci.yml"), ".scangate"), "variables");

        foreach (var key in ConfigurationLayers.KnownKeys.Where(k => k != "output_dir"))
        {
            if (Scalar(variables, "SCANGATE_" + key.ToUpperInvariant()) is { } value)
            {
                value.ShouldBeEmpty($"SCANGATE_{key.ToUpperInvariant()} has a default that would outrank scangate.yml");
            }
        }
    }

    [Fact]
    public async Task GitLabTemplate_Script_BuildsTheScanCommandFromVariables()
    {
        var job = Map(Load("integrations/gitlab/scangate.gitlab-ci.yml"), ".scangate");
        var script = ((YamlSequenceNode)Node(job, "script")).Children.Select(c => ((YamlScalarNode)c).Value!).Single(s => s.Contains("args=(scan)", StringComparison.Ordinal));

        var run = await RunScript(script, "SCANGATE_", AllInputs("SCANGATE_"), exitCode: 4);

        run.Arguments.ShouldBe(ExpectedArguments);
        run.Environment.ShouldBe("password-in-env");
        run.ExitCode.ShouldBe(4);
    }

    [Fact]
    public void AzureTemplate_Parameters_CoverEveryScanFlag_AndMapThroughTheEnvironment()
    {
        var template = Load("integrations/azure/scangate.azure-pipelines.yml");
        var parameters = ((YamlSequenceNode)Node(template, "parameters")).Children.Select(p => Scalar(p, "name")!).ToList();

        parameters.Except(AzureToolParameters, StringComparer.Ordinal).Select(Kebab).ShouldBe(ScanFlags.All.Select(f => f.Name), ignoreOrder: true);
        var gate = Steps(template).Single(s => Scalar(s, "displayName") == "Qualys scan gate");
        var env = Map(gate, "env");
        foreach (var flag in ScanFlags.All)
        {
            var variable = "SG_" + flag.Name[2..].ToUpperInvariant().Replace('-', '_');
            Scalar(env, variable).ShouldBe($"${{{{ parameters.{Camel(flag.Name)} }}}}");
        }

        Scalar(env, "QUALYS_PASSWORD").ShouldBe("$(QUALYS_PASSWORD)");
        Scalar(gate, "bash")!.ShouldNotContain("$(QUALYS");
        Steps(template).Select(s => Scalar(s, "task")).ShouldContain("PublishTestResults@2");
    }

    [Theory]
    [InlineData(1, 1, false)]
    [InlineData(10, 0, true)]
    public async Task AzureTemplate_Script_BuildsTheCommandAndMapsWarnToSucceededWithIssues(int scangateExit, int stepExit, bool withIssues)
    {
        var gate = Steps(Load("integrations/azure/scangate.azure-pipelines.yml")).Single(s => Scalar(s, "displayName") == "Qualys scan gate");

        var run = await RunScript(Scalar(gate, "bash")!, "SG_", AllInputs("SG_", booleanStyle: "True"), exitCode: scangateExit);

        run.Arguments.ShouldBe(ExpectedArguments);
        run.ExitCode.ShouldBe(stepExit);
        run.Stdout.Contains("result=SucceededWithIssues", StringComparison.Ordinal).ShouldBe(withIssues);
    }

    // ---------- helpers ----------

    private static readonly string[] ExpectedArguments =
    [
        "scan", "--config", "ci/scangate.yml", "--platform", "US1", "--api-url", "https://qualysapi.example", "--proxy", "http://proxy:3128",
        "--ca-cert", "ca.pem", "--host", "10.0.0.1", "--host", "10.0.0.0/30", "--host", "2001:db8::1", "--network-id", "7",
        "--ec2-instance", "i-1", "--ec2-connector", "conn", "--run-connector", "--ec2-region", "eu-west-1",
        "--option-profile", "Initial Options", "--scanner", "all-in-network", "--scan-name", "[job_name] it's $HOME",
        "--poll-interval", "30s", "--timeout", "60*2", "--fail-on-severity", "4", "--fail-on-qids", "1,2-3", "--fail-on-cves", "CVE-2021-44228",
        "--fail-on-cvss2", "9", "--fail-on-cvss3", "9.8", "--fail-on-pci", "--include-potential", "--exclude-qids", "5", "--exclude-cves", "CVE-2020-0001",
        "--exceptions", "ex.yml", "--policy", "policy.yml", "--on-host-down", "warn", "--leave-running", "--output-dir", "out",
        "--report", "junit,sarif", "--sarif-target", "ci/qualys.yml", "--webhook", "https://hook.example", "--warn-exit-code", "10",
    ];

    private static Dictionary<string, string> AllInputs(string prefix, string booleanStyle = "true")
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["CONFIG"] = "ci/scangate.yml", ["PLATFORM"] = "US1", ["API_URL"] = "https://qualysapi.example", ["PROXY"] = "http://proxy:3128",
            ["CA_CERT"] = "ca.pem", ["HOST"] = "10.0.0.1, 10.0.0.0/30\n2001:db8::1", ["NETWORK_ID"] = "7", ["EC2_INSTANCE"] = "i-1",
            ["EC2_CONNECTOR"] = "conn", ["RUN_CONNECTOR"] = booleanStyle, ["EC2_REGION"] = "eu-west-1", ["OPTION_PROFILE"] = "Initial Options",
            ["SCANNER"] = "all-in-network", ["SCAN_NAME"] = "[job_name] it's $HOME", ["POLL_INTERVAL"] = "30s", ["TIMEOUT"] = "60*2",
            ["FAIL_ON_SEVERITY"] = "4", ["FAIL_ON_QIDS"] = "1,2-3", ["FAIL_ON_CVES"] = "CVE-2021-44228", ["FAIL_ON_CVSS2"] = "9",
            ["FAIL_ON_CVSS3"] = "9.8", ["FAIL_ON_PCI"] = booleanStyle, ["INCLUDE_POTENTIAL"] = booleanStyle, ["EXCLUDE_QIDS"] = "5",
            ["EXCLUDE_CVES"] = "CVE-2020-0001", ["EXCEPTIONS"] = "ex.yml", ["POLICY"] = "policy.yml", ["ON_HOST_DOWN"] = "warn",
            ["LEAVE_RUNNING"] = booleanStyle, ["OUTPUT_DIR"] = "out", ["REPORT"] = "junit,sarif", ["SARIF_TARGET"] = "ci/qualys.yml",
            ["WEBHOOK"] = "https://hook.example",
        };
        return values.ToDictionary(kv => prefix + kv.Key, kv => kv.Value, StringComparer.Ordinal);
    }

    private sealed record ScriptRun(int ExitCode, List<string> Arguments, string Environment, string Outputs, string Stdout);

    /// <summary>Runs a template's bash with a fake scangate that records its arguments.</summary>
    private static async Task<ScriptRun> RunScript(string script, string prefix, Dictionary<string, string> variables, int exitCode)
    {
        var dir = Directory.CreateTempSubdirectory("scangate-template-").FullName;
        var fake = Path.Combine(dir, "scangate");
        await File.WriteAllTextAsync(fake, "#!/usr/bin/env bash\nprintf '%s\\n' \"$@\" > \"$FAKE_ARGS\"\nif [ \"$QUALYS_PASSWORD\" = pw ]; then echo password-in-env > \"$FAKE_ENV\"; fi\nexit \"$FAKE_EXIT\"\n", TestContext.Current.CancellationToken);
        File.SetUnixFileMode(fake, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = dir };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(key);
        }

        foreach (var (key, value) in variables)
        {
            start.Environment[key] = value;
        }

        start.Environment["SCANGATE_BIN"] = fake;
        start.Environment["QUALYS_PASSWORD"] = "pw";
        start.Environment["FAKE_ARGS"] = Path.Combine(dir, "args");
        start.Environment["FAKE_ENV"] = Path.Combine(dir, "env");
        start.Environment["FAKE_EXIT"] = exitCode.ToString(CultureInfo.InvariantCulture);
        start.Environment["GITHUB_OUTPUT"] = Path.Combine(dir, "outputs");
        using var process = Process.Start(start)!;
        var stdout = await process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);

        string Read(string name) => File.Exists(Path.Combine(dir, name)) ? File.ReadAllText(Path.Combine(dir, name)) : string.Empty;
        var arguments = Read("args").Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
        return new ScriptRun(process.ExitCode, arguments, Read("env").Trim(), Read("outputs"), stdout);
    }

    private static YamlMappingNode GitHubGateStep() =>
        Steps(Load("integrations/github/action.yml")).Single(s => Scalar(s, "id") == "gate");

    private static List<YamlMappingNode> Steps(YamlNode root)
    {
        var steps = root is YamlMappingNode map && map.Children.ContainsKey(new YamlScalarNode("runs")) ? Node(root, "runs", "steps") : Node(root, "steps");
        var result = new List<YamlMappingNode>();
        foreach (var step in ((YamlSequenceNode)steps).Children.OfType<YamlMappingNode>())
        {
            // Azure conditional insertion: "${{ if ... }}": [steps]
            var first = step.Children.First();
            if (first.Key.ToString().StartsWith("${{ if", StringComparison.Ordinal))
            {
                result.AddRange(((YamlSequenceNode)first.Value).Children.OfType<YamlMappingNode>());
            }
            else
            {
                result.Add(step);
            }
        }

        return result;
    }

    private static string Kebab(string camel)
    {
        var b = new StringBuilder("--");
        foreach (var c in camel)
        {
            b.Append(char.IsUpper(c) ? "-" + char.ToLowerInvariant(c) : c.ToString());
        }

        return b.ToString().Replace("cvss-2", "cvss2", StringComparison.Ordinal);
    }

    private static string Camel(string flag)
    {
        var parts = flag[2..].Split('-');
        return parts[0] + string.Concat(parts.Skip(1).Select(p => char.ToUpperInvariant(p[0]) + p[1..]));
    }

    private static YamlMappingNode Load(string relative)
    {
        var yaml = new YamlStream();
        using var reader = new StreamReader(Path.Combine(Root, relative));
        yaml.Load(reader);
        return (YamlMappingNode)yaml.Documents[0].RootNode;
    }

    private static YamlMappingNode Map(YamlNode node, params string[] path) => (YamlMappingNode)Node(node, path);

    private static YamlNode Node(YamlNode node, params string[] path)
    {
        foreach (var key in path)
        {
            node = ((YamlMappingNode)node).Children[new YamlScalarNode(key)];
        }

        return node;
    }

    private static List<string> Keys(YamlMappingNode map) => map.Children.Keys.Select(k => k.ToString()).ToList();

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

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ScanGate.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("ScanGate.slnx not found");
    }
}
