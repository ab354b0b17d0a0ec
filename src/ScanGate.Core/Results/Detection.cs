namespace ScanGate.Results;

/// <summary>
/// One detection row of a Qualys <c>json_extended</c> scan result (host × QID × port/instance), as the scanner sent it.
/// Values are kept as the raw strings of the result (untrusted text); the policy engine interprets them.
/// </summary>
public sealed class Detection
{
    public string? Ip { get; init; }

    public string? Dns { get; init; }

    public string? Netbios { get; init; }

    public string? Os { get; init; }

    public string? IpStatus { get; init; }

    /// <summary>The QID (a JSON number in real results; a numeric string is tolerated).</summary>
    public long Qid { get; init; }

    public string? Title { get; init; }

    /// <summary><c>Vuln</c> (confirmed), <c>Practice</c> (potential) or <c>Ig</c> (information gathered), any case.</summary>
    public string? Type { get; init; }

    /// <summary><c>"1"</c>..<c>"5"</c> as sent.</summary>
    public string? Severity { get; init; }

    public string? Port { get; init; }

    public string? Protocol { get; init; }

    public string? Fqdn { get; init; }

    public string? Ssl { get; init; }

    /// <summary>Comma-separated CVE ids, or null.</summary>
    public string? CveId { get; init; }

    public string? VendorReference { get; init; }

    public string? BugtraqId { get; init; }

    /// <summary>CVSS v2 base: <c>"7.5 (AV:N/...)"</c>, a bare score, or null/empty/"-"/"N/A".</summary>
    public string? CvssBase { get; init; }

    public string? CvssTemporal { get; init; }

    public string? Cvss3Base { get; init; }

    public string? Cvss3Temporal { get; init; }

    public string? Threat { get; init; }

    public string? Impact { get; init; }

    public string? Solution { get; init; }

    public string? Exploitability { get; init; }

    public string? AssociatedMalware { get; init; }

    public string? Results { get; init; }

    /// <summary><c>"yes"</c>/<c>"no"</c> as sent.</summary>
    public string? PciVuln { get; init; }

    public string? Instance { get; init; }

    public string? Category { get; init; }
}
