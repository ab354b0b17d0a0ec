using System.Globalization;
using System.Text;

namespace ScanGate.Reports;

/// <summary>
/// The Markdown summary for CI job pages (GitHub step summary, Azure build summary): verdict, failing criteria,
/// counts and the worst findings. One streaming pass keeps only the top <see cref="WorstCount"/> findings.
/// </summary>
internal static class MarkdownReportWriter
{
    public const int WorstCount = 10;

    public static async Task WriteAsync(string resultPath, TextWriter output, CancellationToken cancellationToken)
    {
        using var reader = await ResultFileReader.OpenAsync(resultPath, cancellationToken).ConfigureAwait(false);
        var header = reader.Header;
        var worst = new List<Finding>(WorstCount + 1);
        long total = 0;
        foreach (var finding in reader.ReadFindings(cancellationToken))
        {
            total++;
            if (finding.Excluded is not null || finding.Excepted is not null)
            {
                continue;
            }

            var at = worst.FindIndex(w => Compare(finding, w) < 0);
            if (at < 0)
            {
                at = worst.Count;
            }

            if (at < WorstCount)
            {
                worst.Insert(at, finding);
                if (worst.Count > WorstCount)
                {
                    worst.RemoveAt(WorstCount);
                }
            }
        }

        var md = new StringBuilder();
        var icon = header.Verdict switch { "pass" => "✅", "warn" => "⚠️", _ => "❌" };
        md.Append("## ").Append(icon).Append(" ScanGate: ").Append(ReportText.Verdict(header.Verdict))
            .Append(" — ").Append(ReportText.Markdown(header.TargetLabel)).Append("\n\n");

        var scan = header.Scan;
        md.Append("| Scan | Reference | Status | Launched | Duration | Generated |\n|---|---|---|---|---|---|\n");
        md.Append("| ").Append(Cell(scan?.Title)).Append(" | ").Append(Cell(scan?.Ref)).Append(" | ").Append(Cell(scan?.Status ?? scan?.State))
            .Append(" | ").Append(Cell(scan?.LaunchDate)).Append(" | ").Append(Cell(scan?.Duration)).Append(" | ").Append(Cell(header.GeneratedAt)).Append(" |\n\n");

        if (header.FailureReasons.Count > 0)
        {
            md.Append("**Why it failed**\n\n");
            foreach (var reason in header.FailureReasons)
            {
                md.Append("- ").Append(ReportText.Markdown(reason, 400)).Append('\n');
            }

            md.Append('\n');
        }

        if (header.WarningReasons.Count > 0 || header.Warnings.Count > 0)
        {
            md.Append("**Warnings**\n\n");
            foreach (var reason in header.WarningReasons.Concat(header.Warnings))
            {
                md.Append("- ").Append(ReportText.Markdown(reason, 400)).Append('\n');
            }

            md.Append('\n');
        }

        if (header.Criteria.Count > 0)
        {
            md.Append("| Criterion | Configured | Found | Result |\n|---|---|---|---|\n");
            foreach (var c in header.Criteria.OrderBy(c => c.Passed))
            {
                md.Append("| ").Append(Cell(ReportText.CriterionLabel(c.Key))).Append(" | ").Append(Cell(ReportText.Value(c.Configured)))
                    .Append(" | ").Append(Cell(ReportText.Value(c.Found))).Append(" | ").Append(c.Passed ? "✅ passed" : "❌ **failed**").Append(" |\n");
            }

            md.Append('\n');
        }
        else
        {
            md.Append("_No fail criteria configured: the gate judges nothing._\n\n");
        }

        var counts = header.Counts;
        md.Append("| | Urgent (5) | Critical (4) | Serious (3) | Medium (2) | Minimal (1) |\n|---|---|---|---|---|---|\n");
        md.Append("| Confirmed");
        for (var s = 5; s >= 1; s--)
        {
            md.Append(" | ").Append(counts.ConfirmedAt(s).ToString(CultureInfo.InvariantCulture));
        }

        md.Append(" |\n| Potential").Append(header.Policy?.IncludePotential == true ? "" : " (not judged)");
        for (var s = 5; s >= 1; s--)
        {
            md.Append(" | ").Append(counts.PotentialAt(s).ToString(CultureInfo.InvariantCulture));
        }

        md.Append(" |\n\n");
        md.Append(CultureInfo.InvariantCulture, $"{counts.Evaluated} evaluated, {counts.Excluded} excluded, {counts.Excepted} excepted, {counts.InformationGathered} information gathered, {total} findings in the report.\n\n");

        var expired = header.Exceptions.Where(e => string.Equals(e.Status, "expired", StringComparison.Ordinal)).ToList();
        if (expired.Count > 0)
        {
            md.Append("**Expired exceptions** (no longer applied): ")
                .Append(string.Join(", ", expired.Select(e => $"{ReportText.Markdown(e.Id)} (expired {ReportText.Markdown(e.Expires)})")))
                .Append("\n\n");
        }

        if (worst.Count > 0)
        {
            md.Append("### Worst findings\n\n| Severity | QID | Title | Host | Port | CVSS v3 | Type | Fails on |\n|---|---|---|---|---|---|---|---|\n");
            foreach (var f in worst)
            {
                md.Append("| ").Append(f.Severity?.ToString(CultureInfo.InvariantCulture) ?? "-").Append(' ').Append(ReportText.SeverityName(f.Severity))
                    .Append(" | ").Append(f.Qid.ToString(CultureInfo.InvariantCulture))
                    .Append(" | ").Append(Cell(f.Title, 120))
                    .Append(" | ").Append(Cell(f.Host))
                    .Append(" | ").Append(Cell(f.PortLabel))
                    .Append(" | ").Append(f.Cvss3 is { } v3 ? ReportText.Number(v3) : "-")
                    .Append(" | ").Append(Cell(f.Type))
                    .Append(" | ").Append(f.IsFailing ? Cell(string.Join(", ", f.Matched!)) : "-")
                    .Append(" |\n");
            }

            md.Append('\n');
        }

        md.Append("<sub>ScanGate ").Append(ReportText.Markdown(header.Tool?.Version)).Append(" · full details in the HTML report.</sub>\n");
        await output.WriteAsync(md, cancellationToken).ConfigureAwait(false);
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private static string Cell(string? text, int max = 200) => string.IsNullOrEmpty(text) ? "-" : ReportText.Markdown(text, max);

    /// <summary>Failing first, then higher severity, higher CVSS, lower QID: a total order, so output is deterministic.</summary>
    private static int Compare(Finding a, Finding b)
    {
        var c = b.IsFailing.CompareTo(a.IsFailing);
        if (c == 0)
        {
            c = (b.Severity ?? 0).CompareTo(a.Severity ?? 0);
        }

        if (c == 0)
        {
            c = (b.Cvss3 ?? b.Cvss2 ?? 0).CompareTo(a.Cvss3 ?? a.Cvss2 ?? 0);
        }

        if (c == 0)
        {
            c = a.Qid.CompareTo(b.Qid);
        }

        return c;
    }
}
