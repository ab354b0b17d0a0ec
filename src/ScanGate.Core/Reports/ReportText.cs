using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ScanGate.Reports;

/// <summary>Labels and escaping shared by the report writers. All scanner text passes through one of the escapers.</summary>
internal static class ReportText
{
    /// <summary>Plugin colours for severity 1..5 (original-plugin.md §7).</summary>
    public static readonly string[] SeverityColors = ["#E8E4AE", "#F4BB48", "#FAA23B", "#DE672A", "#D61E1C"];

    public static string SeverityName(int? severity) => severity switch
    {
        1 => "Minimal",
        2 => "Medium",
        3 => "Serious",
        4 => "Critical",
        5 => "Urgent",
        _ => "Unknown",
    };

    public static string CriterionLabel(string key) => key switch
    {
        "severity" => "Severity at or above",
        "severity_counts" => "Findings per severity",
        "qids" => "QIDs",
        "cves" => "CVEs",
        "cvss2" => "CVSS v2 base score at or above",
        "cvss3" => "CVSS v3 base score at or above",
        "pci" => "PCI vulnerabilities",
        _ => key,
    };

    public static string Verdict(string verdict) => verdict.ToUpperInvariant();

    public static string Number(double value) => value.ToString("0.0##", CultureInfo.InvariantCulture);

    public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A criterion value for display: numbers as written, lists joined, severity maps as "5: 1, 4: 3".</summary>
    public static string Value(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Undefined or JsonValueKind.Null => "-",
        JsonValueKind.String => value.GetString() ?? "-",
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.True => "yes",
        JsonValueKind.False => "no",
        JsonValueKind.Array => value.GetArrayLength() == 0 ? "none" : string.Join(", ", value.EnumerateArray().Select(Value)),
        JsonValueKind.Object => string.Join(", ", value.EnumerateObject().Select(p => $"sev {p.Name}: {Value(p.Value)}")),
        _ => value.GetRawText(),
    };

    /// <summary>HTML-escapes text for element content and quoted attribute values.</summary>
    public static string Html(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }

        var builder = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            switch (c)
            {
                case '&': builder.Append("&amp;"); break;
                case '<': builder.Append("&lt;"); break;
                case '>': builder.Append("&gt;"); break;
                case '"': builder.Append("&quot;"); break;
                case '\'': builder.Append("&#39;"); break;
                case '\0': builder.Append('\uFFFD'); break;
                default: builder.Append(c); break;
            }
        }

        return builder.ToString();
    }

    /// <summary>
    /// Text safe inside XML 1.0: characters XML forbids (control characters, lone surrogates, U+FFFE/FFFF) become
    /// U+FFFD, so hostile scanner text can neither break the document nor make XmlWriter throw.
    /// </summary>
    public static string Xml(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }

        StringBuilder? builder = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            bool ok;
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                builder?.Append(c).Append(text[i + 1]);
                i++;
                continue;
            }

            ok = c is '\t' or '\n' or '\r' || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD);
            if (!ok && builder is null)
            {
                builder = new StringBuilder(text.Length);
                builder.Append(text, 0, i);
            }

            builder?.Append(ok ? c : '\uFFFD');
        }

        return builder?.ToString() ?? text;
    }

    /// <summary>
    /// Markdown-escapes one line of text (newlines become spaces): HTML-significant characters become entities and
    /// Markdown punctuation is backslash-escaped, so scanner text renders literally, also inside table cells.
    /// </summary>
    public static string Markdown(string? text, int maxLength = 200)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }

        var builder = new StringBuilder(text.Length + 16);
        var count = 0;
        foreach (var c in text)
        {
            if (count++ >= maxLength)
            {
                builder.Append('…');
                break;
            }

            switch (c)
            {
                case '&': builder.Append("&amp;"); break;
                case '<': builder.Append("&lt;"); break;
                case '>': builder.Append("&gt;"); break;
                case '\r' or '\n' or '\t': builder.Append(' '); break;
                case '\\' or '`' or '*' or '_' or '{' or '}' or '[' or ']' or '(' or ')' or '#' or '+' or '-' or '.' or '!'
                    or '|' or '~' or '"' or '\'' or '@' or ':':
                    builder.Append('\\').Append(c);
                    break;
                default:
                    if (!char.IsControl(c))
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        return builder.ToString();
    }

    /// <summary>The score GitHub reads as <c>security-severity</c>: CVSS v3, else v2, else from the Qualys severity.</summary>
    public static double SecuritySeverity(double? cvss3, double? cvss2, int? severity) =>
        cvss3 ?? cvss2 ?? severity switch
        {
            5 => 9.5,
            4 => 7.5,
            3 => 5.5,
            2 => 3.5,
            1 => 1.0,
            _ => 0.0,
        };
}
