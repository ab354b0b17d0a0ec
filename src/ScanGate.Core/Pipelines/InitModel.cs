using System.Globalization;
using System.Text;

namespace ScanGate.Pipelines;

/// <summary>One entry of a live list (the plugin form's dropdowns): the value written to the config and a label.</summary>
public sealed record CatalogItem(string Value, string Label);

/// <summary>
/// The live lists <c>scangate init</c> offers (the plugin form's Test Connection and dropdowns). Implemented over the
/// Qualys client; tests use a fake.
/// </summary>
public interface IQualysCatalog
{
    /// <summary>Checks the connection and credentials; throws with a message naming the likely cause.</summary>
    Task TestConnectionAsync(CancellationToken cancellationToken);

    Task<IReadOnlyList<CatalogItem>> NetworksAsync(CancellationToken cancellationToken);

    Task<IReadOnlyList<CatalogItem>> ScannersAsync(string? networkId, CancellationToken cancellationToken);

    Task<IReadOnlyList<CatalogItem>> OptionProfilesAsync(CancellationToken cancellationToken);

    Task<IReadOnlyList<CatalogItem>> ConnectorsAsync(CancellationToken cancellationToken);
}

/// <summary>What the user chose in <c>scangate init</c>. Credentials are not part of it: they stay in the environment.</summary>
public sealed record InitAnswers
{
    public string? Platform { get; init; }

    public string? ApiUrl { get; init; }

    public string? Proxy { get; init; }

    public IReadOnlyList<string> Hosts { get; init; } = [];

    public string? NetworkId { get; init; }

    public string? Ec2Instance { get; init; }

    public string? Ec2Connector { get; init; }

    public bool RunConnector { get; init; }

    public string? Ec2Region { get; init; }

    public string OptionProfile { get; init; } = "Initial Options";

    public string Scanner { get; init; } = "External";

    public string? ScanName { get; init; }

    public string PollInterval { get; init; } = "2m";

    public string Timeout { get; init; } = "60m";

    public string OnHostDown { get; init; } = "fail";

    public int? FailOnSeverity { get; init; }

    public string? FailOnQids { get; init; }

    public string? FailOnCves { get; init; }

    public string? FailOnCvss2 { get; init; }

    public string? FailOnCvss3 { get; init; }

    public bool FailOnPci { get; init; }

    public bool IncludePotential { get; init; }

    public string? ExcludeQids { get; init; }

    public string? ExcludeCves { get; init; }
}

/// <summary>Turns <see cref="InitAnswers"/> into a <c>scangate.yml</c> and the pipeline flags that go with it.</summary>
public static class InitOutput
{
    /// <summary>
    /// The whole configuration, criteria included (keys of docs/configuration.md, snake_case), so
    /// <c>scangate scan --config FILE</c> alone runs it. No credential is ever written.
    /// </summary>
    public static string ToYaml(InitAnswers answers)
    {
        ArgumentNullException.ThrowIfNull(answers);
        var b = new StringBuilder();
        b.Append("# scangate.yml, written by scangate init ").Append(ToolInfo.Version).Append('\n');
        b.Append("# Credentials are not stored here: set QUALYS_USERNAME and QUALYS_PASSWORD in the environment (CI secrets).\n");
        Key(b, "platform", answers.Platform);
        Key(b, "api_url", answers.ApiUrl);
        Key(b, "proxy", answers.Proxy);
        List(b, "host", answers.Hosts);
        Key(b, "network_id", answers.NetworkId);
        Key(b, "ec2_instance", answers.Ec2Instance);
        Key(b, "ec2_connector", answers.Ec2Connector);
        Switch(b, "run_connector", answers.RunConnector);
        Key(b, "ec2_region", answers.Ec2Region);
        Key(b, "option_profile", answers.OptionProfile);
        Key(b, "scanner", answers.Scanner);
        Key(b, "scan_name", answers.ScanName);
        Key(b, "poll_interval", answers.PollInterval);
        Key(b, "timeout", answers.Timeout);
        Key(b, "on_host_down", answers.OnHostDown);
        var anyCriterion = answers.FailOnSeverity is not null || answers.FailOnPci || !string.IsNullOrWhiteSpace(answers.FailOnQids)
            || !string.IsNullOrWhiteSpace(answers.FailOnCves) || !string.IsNullOrWhiteSpace(answers.FailOnCvss2) || !string.IsNullOrWhiteSpace(answers.FailOnCvss3);
        b.Append(anyCriterion
            ? "# Criteria (docs/policy.md); a flag or a SCANGATE_<KEY> variable overrides each one.\n"
            : "# No criteria: the gate judges nothing until you add some, e.g. fail_on_severity: 4 (docs/policy.md).\n");
        Key(b, "fail_on_severity", answers.FailOnSeverity?.ToString(CultureInfo.InvariantCulture));
        Key(b, "fail_on_qids", answers.FailOnQids);
        Key(b, "fail_on_cves", answers.FailOnCves);
        Key(b, "fail_on_cvss2", answers.FailOnCvss2);
        Key(b, "fail_on_cvss3", answers.FailOnCvss3);
        Switch(b, "fail_on_pci", answers.FailOnPci);
        Switch(b, "include_potential", answers.IncludePotential);
        Key(b, "exclude_qids", answers.ExcludeQids);
        Key(b, "exclude_cves", answers.ExcludeCves);
        return b.ToString();
    }

    /// <summary>The <c>scangate pipeline</c> flags for a file written by <see cref="ToYaml"/>: it holds everything.</summary>
    public static IReadOnlyList<ScanArgument> PipelineArguments(string configPath) => [new("--config", configPath)];

    private static void Key(StringBuilder b, string key, string? value)
    {
        if (!string.IsNullOrWhiteSpace(value))
        {
            b.Append(key).Append(": ").Append(Quote(value.Trim())).Append('\n');
        }
    }

    private static void List(StringBuilder b, string key, IReadOnlyList<string> values)
    {
        if (values.Count > 0)
        {
            b.Append(key).Append(": [").Append(string.Join(", ", values.Select(Quote))).Append("]\n");
        }
    }

    private static void Switch(StringBuilder b, string key, bool value)
    {
        if (value)
        {
            b.Append(key).Append(": true\n");
        }
    }

    // YAML single-quoted scalar: no escapes except '' for ', so any text (brackets, '#', ': ') stays literal.
    private static string Quote(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
}
