using System.Text;

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

    // Each key's UTF-8 bytes and its closing quote (the fast parser's expected-key check).
    private static readonly byte[][] QuotedFieldNames = [.. FieldNames.Select(name => Encoding.UTF8.GetBytes(name + "\""))];

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

    // Matches an unescaped UTF-8 property name. Real results list the keys in one order, so the key after the
    // previous one is tried first.
    private static Field IdentifyName(ReadOnlySpan<byte> span, Field expected)
    {
        if (span.IsEmpty)
        {
            return Field.Unknown;
        }

        var names = Utf8FieldNames;
        if ((int)expected >= 0 && (int)expected < names.Length && span.SequenceEqual(names[(int)expected]))
        {
            return expected;
        }

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

    /// <summary>
    /// Reuses the previous row's string when a short value repeats byte for byte (ip, dns, os, type, severity,
    /// protocol... repeat across a host's rows), which saves most small allocations without hashing.
    /// </summary>
    private sealed class RepeatedValueCache(int fieldCount)
    {
        private const int MaxLength = 64;
        private readonly byte[] _bytes = new byte[fieldCount * MaxLength];
        private readonly int[] _lengths = new int[fieldCount];
        private readonly string?[] _strings = new string?[fieldCount];

        /// <summary>The previous string of <paramref name="field"/> when <paramref name="value"/> (unescaped UTF-8) repeats it.</summary>
        public bool TryGet(ReadOnlySpan<byte> value, int field, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? text)
        {
            text = _strings[field];
            return text is not null && value.Length <= MaxLength && _lengths[field] == value.Length
                && value.SequenceEqual(_bytes.AsSpan(field * MaxLength, value.Length));
        }

        public void Remember(ReadOnlySpan<byte> value, int field, string text)
        {
            if (value.Length <= MaxLength)
            {
                value.CopyTo(_bytes.AsSpan(field * MaxLength, MaxLength));
                _lengths[field] = value.Length;
                _strings[field] = text;
            }
        }
    }
}
