namespace ScanGate.Policy;

/// <summary>A list of CVE ids (<c>CVE-YYYY-NNNN…</c>), matched case-insensitively.</summary>
public sealed class CveList
{
    private readonly HashSet<string> _ids;

    private CveList(string text, HashSet<string> ids)
    {
        Text = text;
        _ids = ids;
    }

    /// <summary>The normalised list: trimmed, upper-cased, comma-separated, in the order given.</summary>
    public string Text { get; }

    public int Count => _ids.Count;

    public override string ToString() => Text;

    public static CveList Parse(string? text, string field) =>
        FromEntries((text ?? string.Empty).Split(','), field);

    public static CveList FromEntries(IEnumerable<string> entries, string field)
    {
        var ordered = new List<string>();
        var ids = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var raw in entries)
        {
            var entry = raw.Trim();
            if (entry.Length == 0)
            {
                continue;
            }

            var id = Normalize(entry, field);
            if (ids.Add(id))
            {
                ordered.Add(id);
            }
        }

        if (ordered.Count == 0)
        {
            throw new PolicyConfigurationException($"{field}: the list is empty; give CVE ids such as CVE-2021-44228 or leave the setting out.");
        }

        return new CveList(string.Join(',', ordered), ids);
    }

    public bool Contains(string cve) => _ids.Contains(cve);

    /// <summary>Validates one id and returns it upper-cased; the error names the entry.</summary>
    public static string Normalize(string entry, string field)
    {
        if (!IsCveId(entry))
        {
            throw new PolicyConfigurationException($"{field}: \"{entry}\" is not a CVE id (expected CVE-YYYY-NNNN with at least 4 digits after the year).");
        }

        return entry.ToUpperInvariant();
    }

    public static bool IsCveId(string text)
    {
        var span = text.AsSpan().Trim();
        if (span.Length < 13 || !span.StartsWith("CVE-", StringComparison.OrdinalIgnoreCase) || span[8] != '-')
        {
            return false;
        }

        foreach (var c in span[4..8])
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        foreach (var c in span[9..])
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return span.Length <= 24;
    }
}
