using System.Globalization;
using System.Text.RegularExpressions;

namespace ScanGate.Emulator;

/// <summary>
/// Points on the virtual clock as scenarios write them: an offset from the emulator's start (<c>+90m</c>, <c>+1h30m</c>,
/// <c>-400d</c>, <c>+0</c>; units d, h, m, s) or a UTC time (<c>2026-11-28T12:00:00Z</c>, <c>2026-11-28</c>).
/// Offsets keep scenarios independent of the wall clock: tests with a fake clock and rehearsals on the real one
/// both see "published 90 minutes after the start".
/// </summary>
internal static partial class ScenarioTime
{
    public static bool TryResolve(string? text, DateTimeOffset start, out DateTimeOffset at)
    {
        at = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var value = text.Trim();
        if (value is "+0" or "-0" or "0")
        {
            at = start;
            return true;
        }

        var match = Offset().Match(value);
        if (match.Success)
        {
            double seconds = 0;
            foreach (Capture part in match.Groups["part"].Captures)
            {
                if (!long.TryParse(part.Value.AsSpan(0, part.Value.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var amount)
                    || amount > 100_000)
                {
                    return false;
                }

                seconds += amount * part.Value[^1] switch { 'd' => 86_400d, 'h' => 3_600d, 'm' => 60d, _ => 1d };
            }

            at = start.AddSeconds(match.Groups["sign"].Value == "-" ? -seconds : seconds);
            return true;
        }

        return DateTimeOffset.TryParseExact(value, ["yyyy-MM-dd'T'HH:mm:ss'Z'", "yyyy-MM-dd"], CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out at);
    }

    public static DateTimeOffset Resolve(string text, DateTimeOffset start, string field) =>
        TryResolve(text, start, out var at)
            ? at
            : throw new ScenarioException($"{field}: invalid time '{text}' (an offset from the start such as +90m, +1h30m, -400d, or a UTC time such as 2026-11-28T12:00:00Z)");

    [GeneratedRegex(@"^(?<sign>[+-])(?<part>\d{1,6}[dhms]){1,4}$", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Offset();
}
