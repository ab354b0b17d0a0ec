using System.Net;
using System.Net.Sockets;
using System.Numerics;

namespace ScanGate.Configuration;

/// <summary>
/// Parses <c>--host</c> values: IPv4 and IPv6 addresses, ranges (<c>10.0.0.1-10.0.0.9</c>) and CIDR blocks
/// (<c>10.0.0.0/24</c>), separated by commas or whitespace. Produces Qualys <c>ip</c> entries: addresses and ranges,
/// a CIDR block becoming its first-last range. Strict where <see cref="IPAddress.TryParse(string?, out IPAddress?)"/>
/// is lenient: <c>10.1</c> or <c>1</c> are refused, not read as <c>10.0.0.1</c>.
/// </summary>
public static class TargetParser
{
    public static IReadOnlyList<string> Parse(string field, IEnumerable<string> values)
    {
        var entries = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var value in values)
        {
            foreach (var token in value.Split([',', ' ', '\t', '\n', '\r', ';'], StringSplitOptions.RemoveEmptyEntries))
            {
                var entry = ParseEntry(field, token);
                if (seen.Add(entry))
                {
                    entries.Add(entry);
                }
            }
        }

        if (entries.Count == 0)
        {
            throw new ConfigurationException(field, null, "no address given; use an IPv4/IPv6 address, a range a-b or a CIDR block.");
        }

        return entries;
    }

    private static string ParseEntry(string field, string token)
    {
        var slash = token.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            return ParseCidr(field, token, slash);
        }

        var dash = token.IndexOf('-', StringComparison.Ordinal);
        if (dash >= 0)
        {
            var first = ParseAddress(field, token, token[..dash]);
            var last = ParseAddress(field, token, token[(dash + 1)..]);
            if (first.AddressFamily != last.AddressFamily)
            {
                throw new ConfigurationException(field, token, "a range must have both ends in the same family (IPv4 or IPv6).");
            }

            var compare = ToNumber(first).CompareTo(ToNumber(last));
            if (compare > 0)
            {
                throw new ConfigurationException(field, token, "range start is after its end.");
            }

            return compare == 0 ? first.ToString() : $"{first}-{last}";
        }

        return ParseAddress(field, token, token).ToString();
    }

    private static string ParseCidr(string field, string token, int slash)
    {
        var address = ParseAddress(field, token, token[..slash]);
        var bits = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        var prefixText = token[(slash + 1)..];
        if (!int.TryParse(prefixText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var prefix)
            || prefix < 0 || prefix > bits)
        {
            throw new ConfigurationException(field, token, $"prefix length must be 0-{bits}.");
        }

        if (address.AddressFamily == AddressFamily.InterNetwork && prefix < 8 || address.AddressFamily == AddressFamily.InterNetworkV6 && prefix < 64)
        {
            throw new ConfigurationException(field, token, "block too large to scan in one gate (at least /8 for IPv4, /64 for IPv6).");
        }

        var max = (BigInteger.One << bits) - 1;
        var hostMask = (BigInteger.One << (bits - prefix)) - 1;
        var number = ToNumber(address);
        var network = number & (max ^ hostMask);
        if (network != number)
        {
            throw new ConfigurationException(field, token, $"has host bits set; did you mean {FromNumber(network, address.AddressFamily)}/{prefix}?");
        }

        var first = FromNumber(network, address.AddressFamily);
        var last = FromNumber(network | hostMask, address.AddressFamily);
        return prefix == bits ? first.ToString() : $"{first}-{last}";
    }

    private static IPAddress ParseAddress(string field, string token, string text)
    {
        if (text.Contains(':', StringComparison.Ordinal))
        {
            if (text.Contains('%', StringComparison.Ordinal) || !IPAddress.TryParse(text, out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
            {
                throw new ConfigurationException(field, token, $"'{text}' is not an IPv6 address.");
            }

            return v6;
        }

        var parts = text.Split('.');
        if (parts.Length != 4 || !parts.All(p => p.Length is > 0 and <= 3 && p.All(char.IsAsciiDigit) && int.Parse(p, System.Globalization.CultureInfo.InvariantCulture) <= 255))
        {
            throw new ConfigurationException(field, token, $"'{text}' is not an IPv4 address (four numbers 0-255), an IPv6 address, a range a-b or a CIDR block.");
        }

        return IPAddress.Parse(text);
    }

    private static BigInteger ToNumber(IPAddress address) =>
        new(address.GetAddressBytes(), isUnsigned: true, isBigEndian: true);

    private static IPAddress FromNumber(BigInteger number, AddressFamily family)
    {
        var length = family == AddressFamily.InterNetwork ? 4 : 16;
        var bytes = number.ToByteArray(isUnsigned: true, isBigEndian: true);
        var padded = new byte[length];
        bytes.CopyTo(padded, length - bytes.Length);
        return new IPAddress(padded);
    }
}
