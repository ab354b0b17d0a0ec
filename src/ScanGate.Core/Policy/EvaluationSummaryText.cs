using System.Globalization;
using System.Text;

namespace ScanGate.Policy;

/// <summary>The short plain-text summary printed after an evaluation: verdict, failing criteria, worst findings.</summary>
public static class EvaluationSummaryText
{
    private const int TitleWidth = 70;

    public static async Task WriteAsync(TextWriter writer, EvaluationOutcome outcome, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(outcome);
        await writer.WriteAsync(Render(outcome).AsMemory(), cancellationToken);
    }

    public static string Render(EvaluationOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var inv = CultureInfo.InvariantCulture;
        var s = outcome.Summary;
        var c = s.Counts;
        var text = new StringBuilder();
        text.Append(inv, $"Verdict: {ResultDocument.VerdictName(outcome.Verdict).ToUpperInvariant()} (exit code {outcome.ExitCode})\n");
        text.Append(inv, $"Rows: {c.Rows} (confirmed {Sum(c.Confirmed)} [{BySeverity(c.Confirmed)}], potential {Sum(c.Potential)} [{BySeverity(c.Potential)}], ");
        text.Append(inv, $"information gathered {c.InformationGathered}); judged {c.Evaluated}, excluded {c.Excluded}, excepted {c.Excepted}");
        text.Append(s.PotentialChecked ? "; potential findings judged\n" : "; potential findings not judged\n");
        AppendList(text, "Failing criteria:", s.FailureReasons);
        AppendList(text, "Warning criteria:", s.WarningReasons);
        AppendList(text, "Warnings:", s.Warnings);
        if (s.WorstFindings.Count > 0)
        {
            text.Append("Worst findings:\n");
            foreach (var w in s.WorstFindings)
            {
                var cvss = w.Cvss3 is { } score ? score.ToString("0.0", inv) : "-";
                var matched = w.Matched.Count > 0 ? " [" + string.Join(", ", w.Matched) + "]" : string.Empty;
                text.Append(inv, $"  sev {w.Severity}  cvss3 {cvss,-4} QID {w.Qid,-7} {Clean(w.Host, 40)}  {Clean(w.Title, TitleWidth)}{matched}\n");
            }
        }

        text.Append("Result: ").Append(outcome.ResultPath).Append('\n');
        return text.ToString();
    }

    private static void AppendList(StringBuilder text, string heading, IReadOnlyList<string> items)
    {
        if (items.Count == 0)
        {
            return;
        }

        text.Append(heading).Append('\n');
        foreach (var item in items)
        {
            text.Append("  - ").Append(Clean(item, 400)).Append('\n');
        }
    }

    private static long Sum(long[] bySeverity) => bySeverity.Sum();

    private static string BySeverity(long[] bySeverity) =>
        string.Join(' ', Enumerable.Range(1, 5).Reverse().Select(i => string.Create(CultureInfo.InvariantCulture, $"s{i}:{bySeverity[i]}")));

    // Scanner text is untrusted: no control characters (terminal escapes) reach the console, and lines stay short.
    private static string Clean(string? value, int width)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "?";
        }

        var builder = new StringBuilder(Math.Min(value.Length, width + 1));
        foreach (var ch in value)
        {
            if (builder.Length >= width)
            {
                builder.Append('…');
                break;
            }

            builder.Append(char.IsControl(ch) ? ' ' : ch);
        }

        return builder.ToString();
    }
}
