using System.Text;
using System.Text.Json;

namespace ScanGate.Results;

// The json_extended keys the reader knows, matched on the raw UTF-8 property name without allocating.
public sealed partial class ScanResultReader
{
    private static readonly string[] FieldNames =
    [
        "ip", "dns", "netbios", "os", "ip_status", "qid", "title", "type", "severity", "port", "protocol", "fqdn", "ssl",
        "cve_id", "vendor_reference", "bugtraq_id", "cvss_base", "cvss_temporal", "cvss3_base", "cvss3_temporal",
        "threat", "impact", "solution", "exploitability", "associated_malware", "results", "pci_vuln", "instance",
        "category", "reference", "launch_date", "scan_title",
    ];

    private static readonly byte[][] Utf8FieldNames = [.. FieldNames.Select(Encoding.UTF8.GetBytes)];

    private static readonly int FieldCount = FieldNames.Length;

    private enum Field
    {
        Ip,
        Dns,
        Netbios,
        Os,
        IpStatus,
        Qid,
        Title,
        Type,
        Severity,
        Port,
        Protocol,
        Fqdn,
        Ssl,
        CveId,
        VendorReference,
        BugtraqId,
        CvssBase,
        CvssTemporal,
        Cvss3Base,
        Cvss3Temporal,
        Threat,
        Impact,
        Solution,
        Exploitability,
        AssociatedMalware,
        Results,
        PciVuln,
        Instance,
        Category,
        Reference,
        LaunchDate,
        ScanTitle,
        Unknown = -1,
    }

    private static Field Identify(ref Utf8JsonReader reader)
    {
        if (reader.ValueIsEscaped || reader.HasValueSequence)
        {
            var name = reader.GetString();
            var index = Array.IndexOf(FieldNames, name);
            return index < 0 ? Field.Unknown : (Field)index;
        }

        var span = reader.ValueSpan;
        if (span.IsEmpty)
        {
            return Field.Unknown;
        }

        var names = Utf8FieldNames;
        for (var i = 0; i < names.Length; i++)
        {
            var candidate = names[i];
            if (candidate.Length == span.Length && candidate[0] == span[0] && span.SequenceEqual(candidate))
            {
                return (Field)i;
            }
        }

        return Field.Unknown;
    }
}
