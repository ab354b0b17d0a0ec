using System.Globalization;

namespace ScanGate.Policy;

/// <summary>
/// A list of QIDs and inclusive <c>a-b</c> ranges. Ranges are kept as merged, sorted intervals and matched by binary
/// search, never expanded (so <c>1-100000000</c> costs nothing).
/// </summary>
public sealed class QidList
{
    private readonly long[] _starts;
    private readonly long[] _ends;

    private QidList(string text, long[] starts, long[] ends)
    {
        Text = text;
        _starts = starts;
        _ends = ends;
    }

    /// <summary>The normalised list, e.g. <c>38170,38173-38175</c> (entries trimmed, in the order given).</summary>
    public string Text { get; }

    public override string ToString() => Text;

    /// <summary>Parses a comma-separated list; <paramref name="field"/> names it in errors.</summary>
    public static QidList Parse(string? text, string field) =>
        FromEntries((text ?? string.Empty).Split(','), field);

    /// <summary>Parses entries that may each be a number or a range; empty entries (a trailing comma) are skipped.</summary>
    public static QidList FromEntries(IEnumerable<string> entries, string field)
    {
        var normalized = new List<string>();
        var intervals = new List<(long Start, long End)>();
        foreach (var raw in entries)
        {
            var entry = raw.Trim();
            if (entry.Length == 0)
            {
                continue;
            }

            var (start, end) = ParseEntry(entry, field);
            intervals.Add((start, end));
            normalized.Add(start == end ? start.ToString(CultureInfo.InvariantCulture) : string.Create(CultureInfo.InvariantCulture, $"{start}-{end}"));
        }

        if (intervals.Count == 0)
        {
            throw new PolicyConfigurationException($"{field}: the list is empty; give QIDs such as 38170,38173-38175 or leave the setting out.");
        }

        intervals.Sort((a, b) => a.Start.CompareTo(b.Start));
        var starts = new List<long>();
        var ends = new List<long>();
        foreach (var (start, end) in intervals)
        {
            if (ends.Count > 0 && start <= ends[^1] + 1)
            {
                ends[^1] = Math.Max(ends[^1], end);
            }
            else
            {
                starts.Add(start);
                ends.Add(end);
            }
        }

        return new QidList(string.Join(',', normalized), [.. starts], [.. ends]);
    }

    public bool Contains(long qid)
    {
        var index = Array.BinarySearch(_starts, qid);
        if (index >= 0)
        {
            return true;
        }

        // ~index is the first start greater than qid; the interval before it is the only candidate.
        var candidate = ~index - 1;
        return candidate >= 0 && qid <= _ends[candidate];
    }

    private static (long Start, long End) ParseEntry(string entry, string field)
    {
        var dash = entry.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0)
        {
            var single = ParseNumber(entry, entry, field);
            return (single, single);
        }

        if (entry.IndexOf('-', dash + 1) >= 0)
        {
            throw new PolicyConfigurationException($"{field}: \"{entry}\" is not a QID or a range a-b (more than one '-').");
        }

        var start = ParseNumber(entry[..dash].Trim(), entry, field);
        var end = ParseNumber(entry[(dash + 1)..].Trim(), entry, field);
        if (start > end)
        {
            throw new PolicyConfigurationException($"{field}: \"{entry}\" is a range whose start is greater than its end.");
        }

        return (start, end);
    }

    private static long ParseNumber(string text, string entry, string field)
    {
        if (text.Length == 0 || text.Length > 18 || !text.All(char.IsAsciiDigit))
        {
            throw new PolicyConfigurationException($"{field}: \"{entry}\" is not a QID or a range a-b (QIDs are positive whole numbers).");
        }

        var value = long.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
        if (value == 0)
        {
            throw new PolicyConfigurationException($"{field}: \"{entry}\" is not a QID (QIDs start at 1).");
        }

        return value;
    }
}
