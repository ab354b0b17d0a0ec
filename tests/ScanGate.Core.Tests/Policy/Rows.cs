using System.Text;
using System.Text.Json;
using ScanGate.Results;

namespace ScanGate.Core.Tests.Policy;

/// <summary>Builders for detection rows and whole json_extended results used by the policy tests.</summary>
internal static class Rows
{
    public static Detection Vuln(int severity = 3, long qid = 38170, string? cve = null, string? cvss2 = null, string? cvss3 = null,
        string pci = "no", string ip = "10.0.0.5", string type = "Vuln", string? title = null) => new()
    {
        Ip = ip,
        Dns = "app.example",
        Os = "Linux 5.4",
        Qid = qid,
        Title = title ?? $"Finding {qid}",
        Type = type,
        Severity = severity.ToString(System.Globalization.CultureInfo.InvariantCulture),
        Port = "443",
        Protocol = "tcp",
        CveId = cve,
        CvssBase = cvss2,
        Cvss3Base = cvss3,
        PciVuln = pci,
        Category = "General remote services",
        Results = "result text",
        Solution = "solution text",
    };

    public static Detection Practice(int severity = 3, long qid = 38170, string? cve = null) => Vuln(severity, qid, cve, type: "Practice");

    public static Detection Ig(long qid = 86000) => Vuln(1, qid, type: "Ig");

    /// <summary>A json_extended array: header, summary, the rows (as Qualys keys), then an appendix.</summary>
    public static string JsonExtended(IEnumerable<Detection> detections, string? appendixJson = null, string status = "Finished")
    {
        var text = new StringBuilder();
        text.Append("[{\"scan_report_template_title\":\"Scan Results\",\"result_date\":\"11/28/2026 10:00:00\",\"company\":\"X\",\"username\":\"u\",\"role\":\"Manager\"},\n");
        text.Append("{\"launch_date\":\"11/28/2026 10:00:00\",\"active_hosts\":\"1\",\"total_hosts\":\"1\",\"type\":\"API\",\"status\":\"" + status + "\",");
        text.Append("\"reference\":\"scan/1764324000.12345\",\"scanner_appliance\":\"External\",\"duration\":\"00:06:20\",\"scan_title\":\"app_build_42\",");
        text.Append("\"asset_groups\":null,\"ips\":\"10.0.0.5\",\"excluded_ips\":\"\",\"option_profile\":\"Initial Options\",\"network\":\"Global Default Network\"},\n");
        foreach (var d in detections)
        {
            text.Append(JsonSerializer.Serialize(new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["ip"] = d.Ip, ["dns"] = d.Dns, ["netbios"] = d.Netbios, ["os"] = d.Os, ["ip_status"] = "host scanned, found vuln",
                ["qid"] = d.Qid, ["title"] = d.Title, ["type"] = d.Type, ["severity"] = d.Severity, ["port"] = d.Port,
                ["protocol"] = d.Protocol, ["fqdn"] = "", ["ssl"] = "no", ["cve_id"] = d.CveId, ["vendor_reference"] = null,
                ["bugtraq_id"] = d.BugtraqId, ["cvss_base"] = d.CvssBase, ["cvss_temporal"] = null, ["cvss3_base"] = d.Cvss3Base,
                ["cvss3_temporal"] = null, ["threat"] = "threat", ["impact"] = "impact", ["solution"] = d.Solution,
                ["exploitability"] = d.Exploitability, ["associated_malware"] = d.AssociatedMalware, ["results"] = d.Results,
                ["pci_vuln"] = d.PciVuln, ["instance"] = null, ["category"] = d.Category,
            }));
            text.Append(",\n");
        }

        text.Append(appendixJson ?? "{\"target_distribution_across_scanner_appliances\":\"External : 10.0.0.5\"}");
        text.Append("]\n");
        return text.ToString();
    }

    public static MemoryStream Stream(string text) => new(Encoding.UTF8.GetBytes(text));
}
