using System.Globalization;
using System.Text.RegularExpressions;

namespace ScanGate.Configuration;

/// <summary>
/// The scan title: the template with <c>[job_name]</c>, <c>[build_number]</c> and <c>[timestamp]</c> replaced
/// (case-insensitive, literally: a <c>$</c> or <c>\</c> in a job name stays as it is, unlike the plugin), with
/// <c>_[timestamp]</c> always appended as the plugin does, the timestamp being <c>yyyy-MM-dd-HH-mm-ss</c> in UTC.
/// </summary>
public static partial class ScanTitle
{
    public const string DefaultTemplate = "[job_name]_build_[build_number]";

    public const int MaximumLength = 256;

    /// <summary>Expands the template; <paramref name="field"/> names where it came from in errors.</summary>
    public static string Expand(string template, string jobName, string buildNumber, DateTimeOffset now, string field = "--scan-name")
    {
        if (string.IsNullOrWhiteSpace(template))
        {
            throw new ConfigurationException(field, template, "must not be empty.");
        }

        var timestamp = now.UtcDateTime.ToString("yyyy-MM-dd-HH-mm-ss", CultureInfo.InvariantCulture);
        // One pass over the template, so a token inside a replacement (a job named "[timestamp]") is not expanded again.
        var title = Token().Replace(template.Trim() + "_[timestamp]", match => match.Groups["token"].Value.ToLowerInvariant() switch
        {
            "job_name" => jobName,
            "build_number" => buildNumber,
            _ => timestamp,
        }).Trim();

        if (title.Length > MaximumLength)
        {
            throw new ConfigurationException(field, template,
                $"expands to {title.Length} characters (with the appended _timestamp); the maximum is {MaximumLength}.");
        }

        if (title.Any(char.IsControl))
        {
            throw new ConfigurationException(field, template, "expands to a title with control characters.");
        }

        return title;
    }

    [GeneratedRegex(@"\[(?<token>job_name|build_number|timestamp)\]", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Token();
}
