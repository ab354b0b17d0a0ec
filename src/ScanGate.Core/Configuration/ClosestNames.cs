namespace ScanGate.Configuration;

/// <summary>
/// "Did you mean": the names closest to a mistyped one, best kind first and only that kind: a name that differs only
/// in case, else the names at the smallest edit distance (insertions, deletions, substitutions and swaps of two
/// neighbours; up to a third of the name), else names that the typed text begins or that begin it (<c>--user</c> for
/// <c>--username</c>). Comparison ignores case and the
/// characters in <c>ignoredPrefix</c> at the start (so <c>-host</c> finds <c>--host</c>).
/// </summary>
public static class ClosestNames
{
    public static IReadOnlyList<string> Find(string typed, IEnumerable<string> candidates, int max = 3, string ignoredPrefix = "")
    {
        ArgumentNullException.ThrowIfNull(typed);
        ArgumentNullException.ThrowIfNull(candidates);
        var key = Key(typed, ignoredPrefix);
        if (key.Length == 0)
        {
            return [];
        }

        // Up to a third of the name may be wrong, at least one character, at most three.
        var allowed = Math.Clamp(key.Length / 3, 1, 3);
        var scored = new List<(string Name, int Rank, int Distance)>();
        foreach (var candidate in candidates.Distinct(StringComparer.Ordinal))
        {
            var other = Key(candidate, ignoredPrefix);
            if (other.Length == 0 || string.Equals(candidate, typed, StringComparison.Ordinal))
            {
                continue;
            }

            var distance = Distance(key, other);
            if (distance == 0)
            {
                scored.Add((candidate, 0, 0));
            }
            else if (distance <= allowed)
            {
                scored.Add((candidate, 1, distance));
            }
            else if (Math.Min(key.Length, other.Length) >= 3 && (other.StartsWith(key, StringComparison.Ordinal) || key.StartsWith(other, StringComparison.Ordinal)))
            {
                scored.Add((candidate, 2, distance));
            }
        }

        if (scored.Count == 0)
        {
            return [];
        }

        // Only the best kind of match: a near miss hides names that merely share a prefix.
        var best = scored.Min(s => (s.Rank, s.Rank == 1 ? s.Distance : 0));
        return [.. scored.Where(s => (s.Rank, s.Rank == 1 ? s.Distance : 0) == best).OrderBy(s => s.Distance).ThenBy(s => s.Name, StringComparer.Ordinal).Take(max).Select(s => s.Name)];
    }

    /// <summary>The optimal-string-alignment distance: edits plus swaps of two neighbouring characters.</summary>
    public static int Distance(string a, string b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                var best = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    best = Math.Min(best, d[i - 2, j - 2] + 1);
                }

                d[i, j] = best;
            }
        }

        return d[a.Length, b.Length];
    }

    /// <summary>"a", "a or b", "a, b or c".</summary>
    public static string JoinAlternatives(IReadOnlyList<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        return names.Count <= 1 ? string.Concat(names) : string.Join(", ", names.Take(names.Count - 1)) + " or " + names[^1];
    }

    private static string Key(string name, string ignoredPrefix) =>
        name.Trim().TrimStart(ignoredPrefix.ToCharArray()).ToUpperInvariant();
}
