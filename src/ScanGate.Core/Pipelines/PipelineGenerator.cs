using System.Globalization;
using System.Text;

namespace ScanGate.Pipelines;

/// <summary>The CI systems <c>scangate pipeline</c> writes a fragment for.</summary>
public enum CiSystem
{
    Jenkins,
    GitHub,
    GitLab,
    Azure,
}

/// <summary>One <c>scangate scan</c> flag and its value (null for a switch).</summary>
public sealed record ScanArgument(string Flag, string? Value);

/// <summary>What to generate: the CI, the scan flags and how the tool is installed.</summary>
public sealed record PipelineRequest
{
    public required CiSystem Ci { get; init; }

    public IReadOnlyList<ScanArgument> Arguments { get; init; } = [];

    /// <summary>The ScanGate.Tool version the fragment installs (pinned, so builds are reproducible).</summary>
    public string ToolVersion { get; init; } = ToolInfo.Version;

    /// <summary>Extra NuGet source for the tool (a private feed); null for nuget.org.</summary>
    public string? ToolSource { get; init; }

    /// <summary>Jenkins "Username with password" credential holding the Qualys API user.</summary>
    public string JenkinsCredentialsId { get; init; } = "qualys-api";

    /// <summary>Jenkins credential for the proxy, used when <c>--proxy</c> is given.</summary>
    public string JenkinsProxyCredentialsId { get; init; } = "qualys-proxy";
}

/// <summary>A request the generator refuses; the message names the flag and the value.</summary>
public sealed class PipelineException : Exception
{
    public PipelineException(string message)
        : base(message)
    {
    }

    public PipelineException()
    {
    }

    public PipelineException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// Writes a ready pipeline fragment (the plugin's "Generate Pipeline Script") for each CI: credentials from the CI's
/// secret store into QUALYS_USERNAME / QUALYS_PASSWORD, never on the command line; the reports published the
/// CI's own way; warn mapped to the CI's "passed with warnings". Pure: no I/O.
/// </summary>
public static class PipelineGenerator
{
    private const char Nl = '\n';

    public static string Generate(PipelineRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var arguments = Normalize(request.Arguments);
        if (Wants(arguments, "sarif") && !Has(arguments, "--sarif-target"))
        {
            // SARIF needs a repository file to point at: the file this fragment is saved as (GitHub code scanning
            // shows the alerts on it), not scangate's default scangate.yml, which the repository may not have.
            arguments = Normalize([.. arguments, new ScanArgument("--sarif-target", PipelineConventions.PipelineFile(request.Ci))]);
        }

        Check("tool version", request.ToolVersion);
        if (request.ToolSource is not null)
        {
            Check("tool source", request.ToolSource);
        }

        return request.Ci switch
        {
            CiSystem.Jenkins => Jenkins(request, arguments),
            CiSystem.GitHub => GitHub(request, arguments),
            CiSystem.GitLab => GitLab(request, arguments),
            CiSystem.Azure => Azure(request, arguments),
            _ => throw new PipelineException($"Unknown CI '{request.Ci}'."),
        };
    }

    /// <summary>Validates the flags and orders them as <see cref="ScanFlags.All"/> (repeated values keep their order).</summary>
    internal static List<ScanArgument> Normalize(IReadOnlyList<ScanArgument> arguments)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var argument in arguments)
        {
            var flag = ScanFlags.Find(argument.Flag)
                ?? throw new PipelineException($"{argument.Flag}: not a scan flag a pipeline can carry.");
            if (flag.Kind == ScanFlagKind.Switch && argument.Value is not null)
            {
                throw new PipelineException($"{flag.Name}: a switch takes no value (got '{argument.Value}').");
            }

            if (flag.Kind != ScanFlagKind.Switch)
            {
                if (string.IsNullOrWhiteSpace(argument.Value))
                {
                    throw new PipelineException($"{flag.Name}: a value is required.");
                }

                Check(flag.Name, argument.Value);
                if (string.Equals(flag.Name, "--output-dir", StringComparison.Ordinal) && !argument.Value.Trim().All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '/' or '-'))
                {
                    // The directory appears in CI globs and expressions: keep it to plain path characters.
                    throw new PipelineException($"--output-dir: '{argument.Value}' may contain only letters, digits, '_', '.', '/' and '-'.");
                }
            }

            if (flag.Kind != ScanFlagKind.Repeated && !seen.Add(flag.Name))
            {
                throw new PipelineException($"{flag.Name}: given more than once.");
            }
        }

        var ordered = new List<ScanArgument>();
        foreach (var flag in ScanFlags.All)
        {
            foreach (var argument in arguments)
            {
                if (string.Equals(argument.Flag, flag.Name, StringComparison.Ordinal))
                {
                    ordered.Add(argument with { Value = argument.Value?.Trim() });
                }
            }
        }

        return ordered;
    }

    // Values end up inside YAML, shell and Groovy text. Control characters and CI expression syntax (GitHub ${{ }},
    // Azure $( ) and $[ ], which those CIs expand even inside shell quotes) cannot be written safely: refuse them.
    private static void Check(string field, string value)
    {
        foreach (var c in value)
        {
            if (char.IsControl(c))
            {
                throw new PipelineException($"{field}: control characters (such as a line break) are not allowed in '{value.ReplaceLineEndings(" ")}'.");
            }
        }

        if (value.Contains("${{", StringComparison.Ordinal) || value.Contains("$(", StringComparison.Ordinal) || value.Contains("$[", StringComparison.Ordinal))
        {
            throw new PipelineException($"{field}: '{value}' contains CI expression syntax ($(, $[ or ${{{{); put the value in scangate.yml instead.");
        }
    }

    private static string? ValueOf(List<ScanArgument> arguments, string flag) =>
        arguments.Find(a => string.Equals(a.Flag, flag, StringComparison.Ordinal))?.Value;

    private static bool Has(List<ScanArgument> arguments, string flag) =>
        arguments.Exists(a => string.Equals(a.Flag, flag, StringComparison.Ordinal));

    private static string OutputDir(List<ScanArgument> arguments) =>
        (ValueOf(arguments, "--output-dir") ?? PipelineConventions.DefaultOutputDir).TrimEnd('/');

    private static string Reports(List<ScanArgument> arguments) =>
        ValueOf(arguments, "--report") ?? PipelineConventions.DefaultReports;

    private static bool Wants(List<ScanArgument> arguments, string report) =>
        Reports(arguments).Split(',', StringSplitOptions.TrimEntries).Contains(report, StringComparer.OrdinalIgnoreCase);

    private static string Header(string ci, string comment) =>
        $"{comment} Generated by scangate {ToolInfo.Version} (scangate pipeline {ci}). Exit codes: 0 pass, 1 policy fail,"
        + $" 2 configuration, 3 Qualys API/credentials, 4 no result, 5 timeout, {PipelineConventions.WarnExitCode} warn." + Nl;

    // scangate reads proxy credentials only from the proxy URL in the environment (HTTPS_PROXY), never from a flag.
    private static string ProxyNote(List<ScanArgument> arguments, string comment, string store) =>
        Has(arguments, "--proxy")
            ? $"{comment} A proxy that needs a login: keep http://user:password@host:port in a {store} HTTPS_PROXY and drop --proxy.{Nl}"
            : string.Empty;

    // ---------- Jenkins: the shared library step (integrations/jenkins), ScanGate-style parameters ----------

    private static string Jenkins(PipelineRequest request, List<ScanArgument> arguments)
    {
        var b = new StringBuilder();
        b.Append(Header("jenkins", "//"));
        b.Append(CultureInfo.InvariantCulture, $"// Save as {PipelineConventions.PipelineFile(CiSystem.Jenkins)} at the root of the repository.").Append(Nl);
        b.Append("// Needs: the ScanGate shared library (integrations/jenkins) registered in Jenkins as 'scangate'," + Nl);
        b.Append(CultureInfo.InvariantCulture, $"// a 'Username with password' credential '{request.JenkinsCredentialsId}' for the Qualys API user, and the .NET SDK on the agent.") .Append(Nl);
        b.Append("// The step installs the tool, passes credentials only through withCredentials, archives the results," + Nl);
        b.Append("// publishes JUnit and HTML, and marks the build UNSTABLE on a warn verdict." + Nl);
        b.Append("@Library('scangate') _" + Nl + Nl);
        b.Append("pipeline {" + Nl);
        b.Append("    agent any" + Nl);
        b.Append("    stages {" + Nl);
        b.Append("        stage('Qualys scan') {" + Nl);
        b.Append("            steps {" + Nl);
        b.Append("                qualysVulnerabilityAnalyzer(" + Nl);

        var lines = new List<string> { $"credentialsId: {GroovyString(request.JenkinsCredentialsId)}" };

        foreach (var flag in ScanFlags.All)
        {
            var values = arguments.Where(a => string.Equals(a.Flag, flag.Name, StringComparison.Ordinal)).ToList();
            if (values.Count == 0)
            {
                continue;
            }

            var value = flag.Kind switch
            {
                ScanFlagKind.Switch => "true",
                ScanFlagKind.Repeated => "[" + string.Join(", ", values.Select(v => GroovyString(v.Value!))) + "]",
                _ => GroovyString(values[0].Value!),
            };
            lines.Add($"{flag.JenkinsParameter}: {value}");
        }

        lines.Add($"toolVersion: {GroovyString(request.ToolVersion)}");
        if (request.ToolSource is not null)
        {
            lines.Add($"toolSource: {GroovyString(request.ToolSource)}");
        }

        for (var i = 0; i < lines.Count; i++)
        {
            b.Append("                    ").Append(lines[i]).Append(i < lines.Count - 1 ? "," : string.Empty).Append(Nl);
            if (i == 0 && Has(arguments, "--proxy"))
            {
                b.Append(CultureInfo.InvariantCulture, $"                    // proxyCredentialsId: {GroovyString(request.JenkinsProxyCredentialsId)},  // for a proxy that needs a login").Append(Nl);
            }
        }

        b.Append("                )" + Nl);
        b.Append("            }" + Nl);
        b.Append("        }" + Nl);
        b.Append("    }" + Nl);
        b.Append('}').Append(Nl);
        return b.ToString();
    }

    private static string GroovyString(string value) =>
        "'" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";

    // ---------- Shell-based CIs ----------

    private static string InstallCommand(PipelineRequest request)
    {
        var install = $"dotnet tool install --tool-path {PipelineConventions.ToolPath} {PipelineConventions.PackageId} --version {Shell(request.ToolVersion)}";
        return request.ToolSource is null ? install : install + " --add-source " + Shell(request.ToolSource);
    }

    /// <summary>The scan command as shell lines joined with backslash continuations, indented by <paramref name="indent"/>.</summary>
    private static string ScanCommand(List<ScanArgument> arguments, string indent, string suffix)
    {
        var parts = new List<string> { $"{PipelineConventions.ToolPath}/scangate scan" };
        foreach (var argument in arguments)
        {
            parts.Add(argument.Value is null ? argument.Flag : $"{argument.Flag} {Shell(argument.Value)}");
        }

        if (!Has(arguments, "--output-dir"))
        {
            parts.Add($"--output-dir {PipelineConventions.DefaultOutputDir}");
        }

        if (!Has(arguments, "--report"))
        {
            parts.Add($"--report {PipelineConventions.DefaultReports}");
        }

        parts.Add($"--warn-exit-code {PipelineConventions.WarnExitCode}{suffix}");
        return indent + string.Join(" \\" + Nl + indent + "  ", parts) + Nl;
    }

    /// <summary>POSIX shell word: bare when only safe characters, else single-quoted.</summary>
    public static string Shell(string value) =>
        value.Length > 0 && value.All(c => char.IsAsciiLetterOrDigit(c) || "_./:,=@%+-".Contains(c, StringComparison.Ordinal)) ? value : "'" + value.Replace("'", "'\"'\"'", StringComparison.Ordinal) + "'";

    /// <summary>YAML single-quoted scalar.</summary>
    private static string Yaml(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    private static string GitHub(PipelineRequest request, List<ScanArgument> arguments)
    {
        var output = OutputDir(arguments);
        var b = new StringBuilder();
        b.Append(Header("github", "#"));
        b.Append(CultureInfo.InvariantCulture, $"# Save as {PipelineConventions.PipelineFile(CiSystem.GitHub)}. Repository secrets: QUALYS_USERNAME, QUALYS_PASSWORD.").Append(Nl);
        b.Append(ProxyNote(arguments, "#", "secret"));
        b.Append("name: Qualys scan" + Nl);
        b.Append("on:" + Nl + "  push:" + Nl + "    branches: [main]" + Nl + "  workflow_dispatch: {}" + Nl);
        b.Append("permissions:" + Nl + "  contents: read" + Nl);
        if (Wants(arguments, "sarif"))
        {
            b.Append("  security-events: write" + Nl);
        }

        b.Append("jobs:" + Nl + "  qualys-scan:" + Nl + "    runs-on: ubuntu-latest" + Nl + "    steps:" + Nl);
        b.Append("      - uses: actions/checkout@v4" + Nl);
        b.Append("      - uses: actions/setup-dotnet@v4" + Nl + "        with:" + Nl + "          dotnet-version: '10.0.x'" + Nl);
        b.Append("      - name: Install ScanGate" + Nl);
        b.Append("        run: ").Append(Yaml(InstallCommand(request))).Append(Nl);
        b.Append("      - name: Qualys scan gate" + Nl);
        b.Append("        env:" + Nl);
        b.Append("          QUALYS_USERNAME: ${{ secrets.QUALYS_USERNAME }}" + Nl);
        b.Append("          QUALYS_PASSWORD: ${{ secrets.QUALYS_PASSWORD }}" + Nl);
        b.Append("        run: |" + Nl);
        b.Append("          rc=0" + Nl);
        b.Append(ScanCommand(arguments, "          ", " || rc=$?"));
        b.Append(CultureInfo.InvariantCulture, $"          if [ \"$rc\" -eq {PipelineConventions.WarnExitCode} ]; then echo \"::warning title=ScanGate::the scan matched warn criteria\"; rc=0; fi").Append(Nl);
        b.Append("          exit \"$rc\"" + Nl);
        // No summary step: scangate appends its Markdown summary to GITHUB_STEP_SUMMARY itself.
        b.Append("      - uses: actions/upload-artifact@v4" + Nl + "        if: always()" + Nl + "        with:" + Nl);
        b.Append("          name: scangate-results" + Nl);
        b.Append("          path: ").Append(Yaml(output + "/")).Append(Nl);
        if (Wants(arguments, "sarif"))
        {
            b.Append("      - uses: github/codeql-action/upload-sarif@v3" + Nl);
            b.Append(CultureInfo.InvariantCulture, $"        if: always() && hashFiles('{output}/{PipelineConventions.SarifGlob}') != ''").Append(Nl);
            b.Append("        with:" + Nl);
            b.Append("          sarif_file: ").Append(Yaml(output)).Append(Nl);
            b.Append("          category: qualys-vm" + Nl);
        }

        return b.ToString();
    }

    private static string GitLab(PipelineRequest request, List<ScanArgument> arguments)
    {
        var output = OutputDir(arguments);
        var b = new StringBuilder();
        b.Append(Header("gitlab", "#"));
        b.Append(CultureInfo.InvariantCulture, $"# Add to {PipelineConventions.PipelineFile(CiSystem.GitLab)}.").Append(" CI/CD variables (masked, protected): QUALYS_USERNAME, QUALYS_PASSWORD;" + Nl);
        b.Append("# GitLab passes them to the job as environment variables." + Nl);
        b.Append(ProxyNote(arguments, "#", "masked CI/CD variable"));
        b.Append("qualys-scan:" + Nl);
        b.Append("  stage: test" + Nl);
        b.Append("  image: mcr.microsoft.com/dotnet/sdk:10.0" + Nl);
        b.Append("  variables:" + Nl + "    DOTNET_CLI_TELEMETRY_OPTOUT: '1'" + Nl + "    DOTNET_NOLOGO: '1'" + Nl);
        b.Append("  script:" + Nl);
        b.Append("    - ").Append(Yaml(InstallCommand(request))).Append(Nl);
        b.Append("    - |" + Nl);
        b.Append(ScanCommand(arguments, "      ", string.Empty));
        b.Append("  # A warn verdict shows the job as passed with warnings." + Nl);
        b.Append(CultureInfo.InvariantCulture, $"  allow_failure:{Nl}    exit_codes: [{PipelineConventions.WarnExitCode}]{Nl}");
        b.Append("  artifacts:" + Nl + "    when: always" + Nl + "    paths:" + Nl);
        b.Append("      - ").Append(Yaml(output + "/")).Append(Nl);
        if (Wants(arguments, "junit"))
        {
            b.Append("    reports:" + Nl + "      junit: ").Append(Yaml(output + "/" + PipelineConventions.JUnitGlob)).Append(Nl);
        }

        return b.ToString();
    }

    private static string Azure(PipelineRequest request, List<ScanArgument> arguments)
    {
        var output = OutputDir(arguments);
        var b = new StringBuilder();
        b.Append(Header("azure", "#"));
        b.Append(CultureInfo.InvariantCulture, $"# {PipelineConventions.PipelineFile(CiSystem.Azure)}.").Append(" Secret pipeline variables (or a variable group): QUALYS_USERNAME, QUALYS_PASSWORD;" + Nl);
        b.Append("# secrets reach scripts only through env." + Nl);
        b.Append(ProxyNote(arguments, "#", "secret variable mapped in env"));
        b.Append("trigger:" + Nl + "  - main" + Nl);
        b.Append("pool:" + Nl + "  vmImage: ubuntu-latest" + Nl);
        b.Append("steps:" + Nl);
        b.Append("  - task: UseDotNet@2" + Nl + "    inputs:" + Nl + "      packageType: sdk" + Nl + "      version: '10.0.x'" + Nl);
        b.Append("  - script: ").Append(Yaml(InstallCommand(request))).Append(Nl);
        b.Append("    displayName: Install ScanGate" + Nl);
        b.Append("  - script: |" + Nl);
        b.Append("      rc=0" + Nl);
        b.Append(ScanCommand(arguments, "      ", " || rc=$?"));
        b.Append(CultureInfo.InvariantCulture, $"      if [ \"$rc\" -eq {PipelineConventions.WarnExitCode} ]; then echo \"##vso[task.logissue type=warning]ScanGate: the scan matched warn criteria\"; echo \"##vso[task.complete result=SucceededWithIssues;]\"; rc=0; fi").Append(Nl);
        b.Append("      exit \"$rc\"" + Nl);
        b.Append("    displayName: Qualys scan gate" + Nl);
        b.Append("    env:" + Nl + "      QUALYS_USERNAME: $(QUALYS_USERNAME)" + Nl + "      QUALYS_PASSWORD: $(QUALYS_PASSWORD)" + Nl);
        if (Wants(arguments, "junit"))
        {
            b.Append("  - task: PublishTestResults@2" + Nl + "    condition: always()" + Nl + "    inputs:" + Nl);
            b.Append("      testResultsFormat: JUnit" + Nl);
            b.Append("      testResultsFiles: ").Append(Yaml(output + "/" + PipelineConventions.JUnitGlob)).Append(Nl);
            b.Append("      testRunTitle: Qualys scan" + Nl);
            b.Append("      failTaskOnFailedTests: false" + Nl);
        }

        // No summary step: scangate prints ##vso[task.uploadsummary] for its Markdown summary itself.

        b.Append("  - task: PublishPipelineArtifact@1" + Nl + "    condition: always()" + Nl + "    inputs:" + Nl);
        b.Append("      targetPath: ").Append(Yaml(output)).Append(Nl);
        b.Append("      artifact: scangate-results" + Nl);
        return b.ToString();
    }
}
