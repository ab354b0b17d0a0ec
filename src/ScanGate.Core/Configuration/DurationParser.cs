using System.Globalization;
using System.Text.RegularExpressions;

namespace ScanGate.Configuration;

/// <summary>
/// Durations as users write them: <c>30s</c>, <c>2m</c>, <c>1h</c> (combinable: <c>1h30m</c>), and the plugin's
/// minute expressions <c>5</c> and <c>60*2</c> (a product of whole minutes). Unlike the plugin, a value that does not
/// parse is an error, never a silent default, and overflow is caught.
/// </summary>
public static partial class DurationParser
{
    /// <summary>The shortest poll interval accepted: faster polling only burns the API rate limit.</summary>
    public static readonly TimeSpan MinimumPollInterval = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan Maximum = TimeSpan.FromDays(7);

    public static TimeSpan Parse(string field, string text)
    {
        var value = text.Trim();
        if (value.Length == 0)
        {
            throw new ConfigurationException(field, text, "empty; use e.g. 30s, 2m, 1h or the plugin's minutes like 60*2.");
        }

        TimeSpan result;
        if (MinutesExpression().IsMatch(value))
        {
            long minutes = 1;
            foreach (var part in value.Split('*'))
            {
                if (!long.TryParse(part.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var factor))
                {
                    throw TooLong(field, text);
                }

                try
                {
                    minutes = checked(minutes * factor);
                }
                catch (OverflowException)
                {
                    throw TooLong(field, text);
                }

                if (minutes > Maximum.TotalMinutes)
                {
                    throw TooLong(field, text);
                }
            }

            result = TimeSpan.FromMinutes(minutes);
        }
        else
        {
            var match = UnitExpression().Match(value);
            if (!match.Success)
            {
                throw new ConfigurationException(field, text, "not a duration; use e.g. 30s, 2m, 1h, 1h30m, or minutes like 5 or 60*2.");
            }

            double seconds = 0;
            foreach (Capture capture in match.Groups["part"].Captures)
            {
                var unit = char.ToLowerInvariant(capture.Value[^1]);
                if (!long.TryParse(capture.Value.AsSpan(0, capture.Value.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var amount))
                {
                    throw TooLong(field, text);
                }

                seconds += amount * unit switch { 'h' => 3600d, 'm' => 60d, _ => 1d };
            }

            if (seconds > Maximum.TotalSeconds)
            {
                throw TooLong(field, text);
            }

            result = TimeSpan.FromSeconds(seconds);
        }

        if (result <= TimeSpan.Zero)
        {
            throw new ConfigurationException(field, text, "must be greater than zero.");
        }

        return result;
    }

    public static TimeSpan ParsePollInterval(string field, string text)
    {
        var interval = Parse(field, text);
        if (interval < MinimumPollInterval)
        {
            throw new ConfigurationException(field, text, $"below the minimum of {MinimumPollInterval.TotalSeconds:0} s; polling faster only uses up the Qualys API rate limit.");
        }

        return interval;
    }

    private static ConfigurationException TooLong(string field, string text) =>
        new(field, text, $"too large; the maximum is {Maximum.TotalDays:0} days.");

    [GeneratedRegex(@"^\d{1,12}(\s*\*\s*\d{1,12})*$", RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture, matchTimeoutMilliseconds: 1000)]
    private static partial Regex MinutesExpression();

    [GeneratedRegex(@"^(?<part>\d{1,9}[hHmMsS]){1,3}$", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex UnitExpression();
}
