using System.Globalization;

namespace ScanGate.Policy;

/// <summary>Reads Qualys CVSS strings: <c>"7.5 (AV:N/…)"</c>, a bare <c>"7.5"</c>, or no score.</summary>
public static class CvssScore
{
    /// <summary>
    /// True when <paramref name="raw"/> is a score or means "no score" (<c>null</c>, <c>""</c>, <c>"-"</c>, <c>"N/A"</c>);
    /// false when it is text that is not a score in 0–10 (the caller decides whether that matters).
    /// </summary>
    public static bool TryParse(string? raw, out double? score, out string? vector)
    {
        score = null;
        vector = null;
        var span = raw.AsSpan().Trim();
        if (span.IsEmpty || span is "-" || span.Equals("N/A", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        var space = span.IndexOfAny(' ', '\t');
        var token = space < 0 ? span : span[..space];
        if (!double.TryParse(token, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) || value < 0 || value > 10)
        {
            return false;
        }

        score = value;
        if (space >= 0)
        {
            var rest = span[space..].Trim();
            if (rest.Length >= 2 && rest[0] == '(' && rest[^1] == ')')
            {
                rest = rest[1..^1].Trim();
            }

            vector = rest.IsEmpty ? null : rest.ToString();
        }

        return true;
    }

    /// <summary>Validates a threshold: a number in (0, 10].</summary>
    public static double ParseThreshold(string? text, string field)
    {
        var trimmed = (text ?? string.Empty).Trim();
        if (!double.TryParse(trimmed, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
        {
            throw new PolicyConfigurationException($"{field}: \"{trimmed}\" is not a CVSS score (expected a number greater than 0 and at most 10).");
        }

        return ValidateThreshold(value, field);
    }

    public static double ValidateThreshold(double value, string field)
    {
        if (double.IsNaN(value) || value <= 0 || value > 10)
        {
            throw new PolicyConfigurationException(
                string.Create(CultureInfo.InvariantCulture, $"{field}: {value} is outside (0, 10]; a CVSS threshold must be greater than 0 and at most 10."));
        }

        return value;
    }
}
