namespace ScanGate.Reports;

/// <summary>An output rendered from <c>scangate-result.json</c>.</summary>
public enum ReportFormat
{
    Json,
    Html,
    JUnit,
    Sarif,
    Markdown,
}

/// <summary>Parses the <c>--report</c> / <c>--format</c> value: a comma-separated list of format names.</summary>
public static class ReportFormats
{
    /// <summary>The formats written when the user names none.</summary>
    public const string DefaultValue = "json,html,junit";

    public static IReadOnlyList<ReportFormat> Default { get; } = [ReportFormat.Json, ReportFormat.Html, ReportFormat.JUnit];

    /// <summary>All names accepted, in the order shown in help.</summary>
    public const string Names = "html, junit, sarif, markdown, json";

    /// <summary>
    /// Parses <paramref name="value"/> (e.g. <c>html,junit</c>, case-insensitive, spaces allowed). Null or blank gives
    /// <see cref="Default"/>. Duplicates are kept once, in first-seen order.
    /// </summary>
    /// <exception cref="ReportFormatException">An empty item or an unknown name; the message names the value.</exception>
    public static IReadOnlyList<ReportFormat> Parse(string? value, string optionName = "--report")
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return Default;
        }

        var result = new List<ReportFormat>();
        foreach (var raw in value.Split(','))
        {
            var name = raw.Trim();
            ReportFormat format = name.ToUpperInvariant() switch
            {
                "JSON" => ReportFormat.Json,
                "HTML" => ReportFormat.Html,
                "JUNIT" or "XML" => ReportFormat.JUnit,
                "SARIF" => ReportFormat.Sarif,
                "MARKDOWN" or "MD" => ReportFormat.Markdown,
                "" => throw new ReportFormatException($"{optionName}: empty format name in '{value}'. Use a comma-separated list of: {Names}."),
                _ => throw new ReportFormatException($"{optionName}: unknown report format '{name}' in '{value}'. Use a comma-separated list of: {Names}."),
            };
            if (!result.Contains(format))
            {
                result.Add(format);
            }
        }

        return result;
    }

    /// <summary>The file name each format is written to inside the output directory.</summary>
    public static string FileName(ReportFormat format) => format switch
    {
        ReportFormat.Json => "scangate-result.json",
        ReportFormat.Html => "scangate-report.html",
        ReportFormat.JUnit => "scangate-junit.xml",
        ReportFormat.Sarif => "scangate.sarif",
        ReportFormat.Markdown => "scangate-summary.md",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown report format."),
    };
}

/// <summary>A bad format list (usage error, exit 2).</summary>
public sealed class ReportFormatException : Exception
{
    public ReportFormatException(string message)
        : base(message)
    {
    }

    public ReportFormatException()
    {
    }

    public ReportFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
