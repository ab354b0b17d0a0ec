namespace ScanGate.Pipelines;

/// <summary>How a <c>scangate scan</c> flag takes its value.</summary>
public enum ScanFlagKind
{
    /// <summary>One value: <c>--timeout 60m</c>.</summary>
    Value,

    /// <summary>No value: <c>--fail-on-pci</c>.</summary>
    Switch,

    /// <summary>Repeatable, one value each time: <c>--host 10.0.0.1 --host 10.0.0.2</c>.</summary>
    Repeated,
}

/// <summary>
/// One flag of <c>scangate scan</c> that a generated pipeline may carry, with its name as a parameter of the
/// Jenkins step (<c>integrations/jenkins/vars/qualysVulnerabilityAnalyzer.groovy</c>, ScanGate style).
/// </summary>
public sealed record ScanFlag(string Name, string JenkinsParameter, ScanFlagKind Kind, string Description);

/// <summary>
/// The non-secret flags of <c>scangate scan</c> (issue 5 contract), in the order generated fragments list them.
/// Secrets are never flags: the password comes from QUALYS_PASSWORD, proxy credentials from the proxy URL in
/// HTTPS_PROXY (the Jenkins step builds it from <see cref="PipelineConventions.ProxyUsernameVariable"/> /
/// <see cref="PipelineConventions.ProxyPasswordVariable"/>).
/// </summary>
public static class ScanFlags
{
    public static IReadOnlyList<ScanFlag> All { get; } =
    [
        new("--config", "config", ScanFlagKind.Value, "scangate.yml to read (checked into the repository)"),
        new("--platform", "platform", ScanFlagKind.Value, "Qualys platform code (US1, EU2, ...)"),
        new("--api-url", "apiUrl", ScanFlagKind.Value, "Qualys API URL (private cloud), instead of --platform"),
        new("--proxy", "proxy", ScanFlagKind.Value, "HTTP proxy URL"),
        new("--ca-cert", "caCert", ScanFlagKind.Value, "extra CA certificate file (PEM)"),
        new("--host", "host", ScanFlagKind.Repeated, "host to scan: IPv4/IPv6 address, range or CIDR (repeatable)"),
        new("--network-id", "networkId", ScanFlagKind.Value, "Qualys network id of the host"),
        new("--ec2-instance", "ec2Instance", ScanFlagKind.Value, "AWS EC2 instance id to scan"),
        new("--ec2-connector", "ec2Connector", ScanFlagKind.Value, "Qualys EC2 connector name"),
        new("--run-connector", "runConnector", ScanFlagKind.Switch, "run the EC2 connector before the scan"),
        new("--ec2-region", "ec2Region", ScanFlagKind.Value, "AWS region of the instance"),
        new("--option-profile", "optionProfile", ScanFlagKind.Value, "option profile title"),
        new("--scanner", "scanner", ScanFlagKind.Value, "scanner appliance name, or all-in-network"),
        new("--scan-name", "scanName", ScanFlagKind.Value, "scan title template ([job_name], [build_number], [timestamp])"),
        new("--poll-interval", "pollInterval", ScanFlagKind.Value, "poll interval (30s, 2m, or minutes as 60*2)"),
        new("--timeout", "timeout", ScanFlagKind.Value, "scan timeout (60m, 2h, or minutes as 60*2)"),
        new("--fail-on-severity", "failOnSeverity", ScanFlagKind.Value, "fail on a detection of this severity (1-5) or above"),
        new("--fail-on-qids", "failOnQids", ScanFlagKind.Value, "fail on these QIDs or ranges (1,2-5)"),
        new("--fail-on-cves", "failOnCves", ScanFlagKind.Value, "fail on these CVEs"),
        new("--fail-on-cvss2", "failOnCvss2", ScanFlagKind.Value, "fail on a CVSS v2 base score at or above"),
        new("--fail-on-cvss3", "failOnCvss3", ScanFlagKind.Value, "fail on a CVSS v3 base score at or above"),
        new("--fail-on-pci", "failOnPci", ScanFlagKind.Switch, "fail on any PCI vulnerability"),
        new("--include-potential", "includePotential", ScanFlagKind.Switch, "apply the criteria to potential vulnerabilities too"),
        new("--exclude-qids", "excludeQids", ScanFlagKind.Value, "ignore these QIDs or ranges"),
        new("--exclude-cves", "excludeCves", ScanFlagKind.Value, "ignore these CVEs"),
        new("--exceptions", "exceptions", ScanFlagKind.Value, "exceptions file"),
        new("--policy", "policy", ScanFlagKind.Value, "policy file"),
        new("--on-host-down", "onHostDown", ScanFlagKind.Value, "fail, warn or pass when the host is down"),
        new("--leave-running", "leaveRunning", ScanFlagKind.Switch, "do not cancel the scan on timeout"),
        new("--output-dir", "outputDir", ScanFlagKind.Value, "directory for the result and reports"),
        new("--report", "reports", ScanFlagKind.Value, "reports to write: html,junit,sarif,markdown,json"),
        new("--sarif-target", "sarifTarget", ScanFlagKind.Value, "repository file SARIF results point at (default: the pipeline file)"),
        new("--webhook", "webhook", ScanFlagKind.Value, "URL that receives the result"),
    ];

    public static ScanFlag? Find(string name)
    {
        foreach (var flag in All)
        {
            if (string.Equals(flag.Name, name, StringComparison.Ordinal))
            {
                return flag;
            }
        }

        return null;
    }
}

/// <summary>Names shared by the generator, the templates and the Jenkins step.</summary>
public static class PipelineConventions
{
    public const string UsernameVariable = "QUALYS_USERNAME";
    public const string PasswordVariable = "QUALYS_PASSWORD";
    public const string ProxyUsernameVariable = "SCANGATE_PROXY_USERNAME";
    public const string ProxyPasswordVariable = "SCANGATE_PROXY_PASSWORD";

    /// <summary>The exit code generated pipelines ask for on a warn verdict (<c>--warn-exit-code</c>), mapped to the
    /// CI's "passed with warnings" state. Distinct from every other exit code.</summary>
    public const int WarnExitCode = 10;

    public const string DefaultOutputDir = "scangate-out";
    public const string DefaultReports = "html,junit,sarif,markdown,json";
    public const string ToolPath = ".scangate/tool";
    public const string PackageId = "ScanGate.Tool";
    public const string JUnitGlob = "*junit*.xml";
    public const string SarifGlob = "*.sarif";
    public const string MarkdownGlob = "*.md";
    public const string HtmlReport = "scangate-report.html";

    /// <summary>
    /// Where each generated fragment is saved: the file SARIF results point at (<c>--sarif-target</c>), since host
    /// findings have no source file and it is the one file of the gate the repository surely has.
    /// </summary>
    public static string PipelineFile(CiSystem ci) => ci switch
    {
        CiSystem.GitHub => ".github/workflows/qualys-scan.yml",
        CiSystem.GitLab => ".gitlab-ci.yml",
        CiSystem.Azure => "azure-pipelines.yml",
        _ => "Jenkinsfile",
    };
}
