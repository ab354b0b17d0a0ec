namespace ScanGate.Scanning;

/// <summary>
/// Names Qualys knows (option profiles, scanner appliances, networks) against what the user typed: Qualys matches
/// them exactly, so a near miss gets the closest real names (same letters in another case first, then the smallest
/// edit distance) and the <c>scangate list</c> command that shows them all.
/// </summary>
public static class KnownNames
{
    /// <summary>At most this many suggestions.</summary>
    private const int MaxSuggestions = 3;

    /// <summary>
    /// The closest of <paramref name="known"/> to <paramref name="value"/> (never the value itself), best first; empty
    /// when none is close.
    /// </summary>
    public static IReadOnlyList<string> Closest(string value, IEnumerable<string> known)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(known);
        var typed = value.Trim();
        var budget = Math.Max(2, typed.Length / 3);
        return
        [
            .. known.Distinct(StringComparer.Ordinal)
                .Where(name => !string.Equals(name, typed, StringComparison.Ordinal))
                .Select(name => (name, distance: string.Equals(name, typed, StringComparison.OrdinalIgnoreCase) ? 0 : 1 + Distance(name.ToUpperInvariant(), typed.ToUpperInvariant())))
                .Where(c => c.distance <= budget + 1)
                .OrderBy(c => c.distance)
                .ThenBy(c => c.name, StringComparer.Ordinal)
                .Take(MaxSuggestions)
                .Select(c => c.name),
        ];
    }

    /// <summary>
    /// "--option-profile 'Initial options': Qualys has no option profile with this title (names are exact and
    /// case-sensitive). Did you mean 'Initial Options'? Run 'scangate list option-profiles' to see them all."
    /// </summary>
    public static string Unknown(string flag, string value, string what, IReadOnlyList<string> closest, string listCommand)
    {
        var hint = closest.Count switch
        {
            0 => string.Empty,
            1 => $" Did you mean '{closest[0]}'?",
            _ => $" Did you mean one of {string.Join(", ", closest.Select(c => $"'{c}'"))}?",
        };
        return $"{flag} '{value}': Qualys has no {what} (names are exact and case-sensitive).{hint} Run '{listCommand}' to see them all.";
    }

    /// <summary>Levenshtein distance (insert, delete, substitute), two rows.</summary>
    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitute = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), substitute);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
