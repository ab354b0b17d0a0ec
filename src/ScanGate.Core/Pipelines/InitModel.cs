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
    /// The config file (keys of docs/configuration.md, snake_case). Criteria are not config keys: they go into the
    /// pipeline as flags (<see cref="PipelineArguments"/>). No credential is ever written.
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
        if (answers.Hosts.Count > 0)
        {
            b.Append("host: [").Append(string.Join(", ", answers.Hosts.Select(Quote))).Append("]\n");
        }

        Key(b, "network_id", answers.NetworkId);
        Key(b, "ec2_instance", answers.Ec2Instance);
        Key(b, "ec2_connector", answers.Ec2Connector);
        if (answers.RunConnector)
        {
            b.Append("run_connector: true\n");
        }

        Key(b, "ec2_region", answers.Ec2Region);
        Key(b, "option_profile", answers.OptionProfile);
        Key(b, "scanner", answers.Scanner);
        Key(b, "scan_name", answers.ScanName);
        Key(b, "poll_interval", answers.PollInterval);
        Key(b, "timeout", answers.Timeout);
        Key(b, "on_host_down", answers.OnHostDown);
        return b.ToString();
    }

    /// <summary>The <c>scangate pipeline</c> flags for these answers: the config file plus the criteria.</summary>
    public static IReadOnlyList<ScanArgument> PipelineArguments(InitAnswers answers, string configPath)
    {
        ArgumentNullException.ThrowIfNull(answers);
        var arguments = new List<ScanArgument> { new("--config", configPath) };
        if (answers.FailOnSeverity is { } severity)
        {
            arguments.Add(new("--fail-on-severity", severity.ToString(CultureInfo.InvariantCulture)));
        }

        Add(arguments, "--fail-on-qids", answers.FailOnQids);
        Add(arguments, "--fail-on-cves", answers.FailOnCves);
        Add(arguments, "--fail-on-cvss2", answers.FailOnCvss2);
        Add(arguments, "--fail-on-cvss3", answers.FailOnCvss3);
        if (answers.FailOnPci)
        {
            arguments.Add(new("--fail-on-pci", null));
        }

        if (answers.IncludePotential)
        {
            arguments.Add(new("--include-potential", null));
        }

        Add(arguments, "--exclude-qids", answers.ExcludeQids);
        Add(arguments, "--exclude-cves", answers.ExcludeCves);
        return arguments;
    }

    private static void Add(List<ScanArgument> arguments, string flag, string? value)
    {
        if (!string.IsNullOrWhiteSpace(value))
        {
            arguments.Add(new(flag, value.Trim()));
        }
    }

    private static void Key(StringBuilder b, string key, string? value)
    {
        if (!string.IsNullOrWhiteSpace(value))
        {
            b.Append(key).Append(": ").Append(Quote(value.Trim())).Append('\n');
        }
    }

    // YAML single-quoted scalar: no escapes except '' for ', so any text (brackets, '#', ': ') stays literal.
    private static string Quote(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
}
