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

    public string? Title
    {
        get => _title ??= DecodeJsonString(TitleJson);
        init => _title = value;
    }

    /// <summary><c>Vuln</c> (confirmed), <c>Practice</c> (potential) or <c>Ig</c> (information gathered), any case.</summary>
    public string? Type { get; init; }

    /// <summary><c>"1"</c>..<c>"5"</c> as sent.</summary>
    public string? Severity { get; init; }

    public string? Port { get; init; }

    public string? Protocol { get; init; }

    public string? Fqdn { get; init; }

    public string? Ssl { get; init; }

    /// <summary>Comma-separated CVE ids, or null.</summary>
    public string? CveId
    {
        get => _cveId ??= DecodeJsonString(CveIdJson);
        init => _cveId = value;
    }

    public string? VendorReference { get; init; }

    public string? BugtraqId { get; init; }

    /// <summary>CVSS v2 base: <c>"7.5 (AV:N/...)"</c>, a bare score, or null/empty/"-"/"N/A".</summary>
    public string? CvssBase
    {
        get => _cvssBase ??= DecodeJsonString(CvssBaseJson);
        init => _cvssBase = value;
    }

    public string? CvssTemporal { get; init; }

    public string? Cvss3Base
    {
        get => _cvss3Base ??= DecodeJsonString(Cvss3BaseJson);
        init => _cvss3Base = value;
    }

    public string? Cvss3Temporal { get; init; }

    public string? Threat { get; init; }

    public string? Impact { get; init; }

    public string? Solution
    {
        get => _solution ??= DecodeJsonString(SolutionJson);
        init => _solution = value;
    }

    public string? Exploitability { get; init; }

    public string? AssociatedMalware { get; init; }

    public string? Results
    {
        get => _results ??= DecodeJsonString(ResultsJson);
        init => _results = value;
    }

    /// <summary><c>"yes"</c>/<c>"no"</c> as sent.</summary>
    public string? PciVuln { get; init; }

    public string? Instance { get; init; }

    public string? Category { get; init; }

    /// <summary><c>title</c> as its JSON string token; see <see cref="ResultsJson"/>.</summary>
    internal byte[]? TitleJson { get; init; }

    /// <summary><c>cve_id</c> as its JSON string token, decoded on first use (on the judging thread, not the reading one).</summary>
    internal byte[]? CveIdJson { get; init; }

    /// <summary><c>cvss_base</c> as its JSON string token, decoded on first use.</summary>
    internal byte[]? CvssBaseJson { get; init; }

    /// <summary><c>cvss3_base</c> as its JSON string token, decoded on first use.</summary>
    internal byte[]? Cvss3BaseJson { get; init; }

    /// <summary>
    /// <c>results</c> as the JSON string token received (quotes and escapes included, valid UTF-8), when the reader kept
    /// it raw so the evaluation can copy it into scangate-result.json without decoding and re-encoding it.
    /// </summary>
    internal byte[]? ResultsJson { get; init; }

    /// <summary><c>solution</c> as its JSON string token; see <see cref="ResultsJson"/>.</summary>
    internal byte[]? SolutionJson { get; init; }

    private string? _title;
    private string? _cveId;
    private string? _cvssBase;
    private string? _cvss3Base;
    private string? _results;
    private string? _solution;

    // Tokens are kept only when valid UTF-8 without \u escapes, so decoding cannot fail.
    private static string? DecodeJsonString(byte[]? token) =>
        token is null ? null : ScanResultReader.DecodeString(token, escaped: token.AsSpan().IndexOf((byte)'\\') >= 0);
}
