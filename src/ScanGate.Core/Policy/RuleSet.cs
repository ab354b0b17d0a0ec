using System.Globalization;

namespace ScanGate.Policy;

/// <summary>The criteria of one outcome (<c>fail_on</c> or <c>warn_on</c>). Each set criterion trips when any counted row matches.</summary>
public sealed record RuleSet
{
    public static readonly RuleSet Empty = new();

    /// <summary>Trips when a row has severity ≥ this (1–5).</summary>
    public int? Severity { get; init; }

    /// <summary>Severity (1–5) → minimum number of rows of exactly that severity that trips the rule.</summary>
    public IReadOnlyDictionary<int, int>? SeverityCounts { get; init; }

    public QidList? Qids { get; init; }

    public CveList? Cves { get; init; }

    /// <summary>Trips when a row's CVSS v2 base score is ≥ this (0 &lt; x ≤ 10).</summary>
    public double? Cvss2 { get; init; }

    public double? Cvss3 { get; init; }

    /// <summary>Trips when a row has <c>pci_vuln</c> yes.</summary>
    public bool Pci { get; init; }

    public bool IsEmpty =>
        Severity is null && (SeverityCounts is null || SeverityCounts.Count == 0) && Qids is null && Cves is null &&
        Cvss2 is null && Cvss3 is null && !Pci;

    public static int ValidateSeverity(int value, string field) =>
        value is >= 1 and <= 5
            ? value
            : throw new PolicyConfigurationException(string.Create(CultureInfo.InvariantCulture, $"{field}: {value} is outside 1-5; severity thresholds are 1 to 5."));

    public static int ParseSeverity(string? text, string field)
    {
        var trimmed = (text ?? string.Empty).Trim();
        if (!int.TryParse(trimmed, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            throw new PolicyConfigurationException($"{field}: \"{trimmed}\" is not a severity (expected a whole number 1 to 5).");
        }

        return ValidateSeverity(value, field);
    }
}

/// <summary>One entry of the exceptions list: a QID or a CVE accepted until a date, optionally only on some hosts.</summary>
public sealed record PolicyExceptionEntry
{
    public required string Id { get; init; }

    public long? Qid { get; init; }

    /// <summary>Upper-cased CVE id.</summary>
    public string? Cve { get; init; }

    /// <summary>Host IPs or names the entry is limited to; empty = every host.</summary>
    public IReadOnlyList<string> Hosts { get; init; } = [];

    public required string Reason { get; init; }

    /// <summary>Last day (UTC) on which the entry applies.</summary>
    public required DateOnly Expires { get; init; }

    /// <summary>Where it came from, for messages (file and line).</summary>
    public string? Origin { get; init; }

    public bool IsActiveOn(DateOnly today) => today <= Expires;

    public bool AppliesToHost(string? ip, string? dns, string? netbios)
    {
        if (Hosts.Count == 0)
        {
            return true;
        }

        foreach (var host in Hosts)
        {
            if (string.Equals(host, ip, StringComparison.OrdinalIgnoreCase) ||
                string.Equals(host, dns, StringComparison.OrdinalIgnoreCase) ||
                string.Equals(host, netbios, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>The policy in force after flags override the policy file.</summary>
public sealed record EffectivePolicy
{
    public RuleSet FailOn { get; init; } = RuleSet.Empty;

    public RuleSet WarnOn { get; init; } = RuleSet.Empty;

    /// <summary>Also judge <c>Practice</c> (potential) rows; <c>Vuln</c> rows are always judged, <c>Ig</c> never.</summary>
    public bool IncludePotential { get; init; }

    public QidList? ExcludeQids { get; init; }

    /// <summary>A row is dropped only when every one of its CVEs is in this list; a row without CVEs is kept.</summary>
    public CveList? ExcludeCves { get; init; }

    public IReadOnlyList<PolicyExceptionEntry> Exceptions { get; init; } = [];

    public string? PolicyFile { get; init; }

    public string? ExceptionsFile { get; init; }

    /// <summary>Exit code for a <c>warn</c> verdict; null = 0.</summary>
    public int? WarnExitCode { get; init; }

    public bool HasCriteria => !FailOn.IsEmpty || !WarnOn.IsEmpty;
}
