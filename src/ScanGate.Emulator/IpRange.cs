using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace ScanGate.Emulator;

/// <summary>An inclusive IPv4 range, parsed from <c>a.b.c.d</c>, <c>a.b.c.d-e.f.g.h</c> or <c>a.b.c.d/n</c>.</summary>
internal readonly record struct IpRange(uint First, uint Last)
{
    public bool Contains(uint ip) => ip >= First && ip <= Last;

    public long Count => (long)Last - First + 1;

    public override string ToString() =>
        First == Last ? Format(First) : $"{Format(First)}-{Format(Last)}";

    public static string Format(uint ip) =>
        string.Create(CultureInfo.InvariantCulture, $"{ip >> 24}.{(ip >> 16) & 255}.{(ip >> 8) & 255}.{ip & 255}");

    public static bool TryParseAddress(string? text, out uint value)
    {
        value = 0;
        if (string.IsNullOrWhiteSpace(text) || text.Count(c => c == '.') != 3
            || !IPAddress.TryParse(text.Trim(), out var address) || address.AddressFamily != AddressFamily.InterNetwork)
        {
            return false;
        }

        var bytes = address.GetAddressBytes();
        value = ((uint)bytes[0] << 24) | ((uint)bytes[1] << 16) | ((uint)bytes[2] << 8) | bytes[3];
        return true;
    }

    public static bool TryParse(string? text, out IpRange range)
    {
        range = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        text = text.Trim();
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash > 0)
        {
            if (!TryParseAddress(text[..slash], out var network)
                || !int.TryParse(text[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var bits) || bits is < 0 or > 32)
            {
                return false;
            }

            var mask = bits == 0 ? 0u : uint.MaxValue << (32 - bits);
            range = new IpRange(network & mask, (network & mask) | ~mask);
            return true;
        }

        var dash = text.IndexOf('-', StringComparison.Ordinal);
        if (dash > 0)
        {
            if (!TryParseAddress(text[..dash], out var first) || !TryParseAddress(text[(dash + 1)..], out var last) || last < first)
            {
                return false;
            }

            range = new IpRange(first, last);
            return true;
        }

        if (!TryParseAddress(text, out var single))
        {
            return false;
        }

        range = new IpRange(single, single);
        return true;
    }

    /// <summary>Parses a launch-style comma list; returns the first bad item in <paramref name="bad"/>.</summary>
    public static bool TryParseList(string text, out List<IpRange> ranges, out string bad)
    {
        ranges = [];
        bad = "";
        foreach (var item in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!TryParse(item, out var range))
            {
                bad = item;
                return false;
            }

            ranges.Add(range);
        }

        return ranges.Count > 0;
    }
}
