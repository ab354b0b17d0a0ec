using System.Globalization;
using System.Text;
using System.Xml;

namespace ScanGate.Reports;

/// <summary>
/// JUnit XML for Jenkins (JUnit plugin), GitLab (<c>artifacts:reports:junit</c>) and Azure (PublishTestResults):
/// a suite for the policy (a test case per fail criterion) and a suite per host with a test case per finding
/// (host × QID × port): a failure when it matched a fail rule, skipped when excluded, excepted or not evaluated.
/// Two streaming passes over the result: the first counts per host, the second writes.
/// </summary>
internal static class JUnitReportWriter
{
    public static async Task WriteAsync(string resultPath, Stream output, CancellationToken cancellationToken)
    {
        // Pass 1: per-host counts (suites carry them as attributes) and whether each host's rows are contiguous.
        var hosts = new List<HostTally>();
        var byHost = new Dictionary<string, HostTally>(StringComparer.Ordinal);
        var contiguous = true;
        ResultHeader header;
        using (var reader = await ResultFileReader.OpenAsync(resultPath, cancellationToken).ConfigureAwait(false))
        {
            header = reader.Header;
            HostTally? last = null;
            foreach (var finding in reader.ReadFindings(cancellationToken))
            {
                var host = finding.Host ?? "-";
                if (!byHost.TryGetValue(host, out var tally))
                {
                    tally = new HostTally(host);
                    byHost.Add(host, tally);
                    hosts.Add(tally);
                }
                else if (!ReferenceEquals(tally, last))
                {
                    contiguous = false;
                }

                last = tally;
                tally.Tests++;
                switch (Outcome(finding))
                {
                    case CaseOutcome.Failure: tally.Failures++; break;
                    case CaseOutcome.Skipped: tally.Skipped++; break;
                }
            }
        }

        var settings = new XmlWriterSettings
        {
            Encoding = new UTF8Encoding(false),
            Indent = true,
            IndentChars = "  ",
            NewLineChars = "\n",
            CloseOutput = false,
        };

        var criteriaFailures = header.Criteria.Count(c => !c.Passed);
        using var xml = XmlWriter.Create(output, settings);
        xml.WriteStartDocument();
        var written = 0;
        xml.WriteStartElement("testsuites");
        xml.WriteAttributeString("name", "ScanGate " + ReportText.Xml(header.TargetLabel));
        xml.WriteAttributeString("tests", Int(header.Criteria.Count + hosts.Sum(h => h.Tests)));
        xml.WriteAttributeString("failures", Int(criteriaFailures + hosts.Sum(h => h.Failures)));
        xml.WriteAttributeString("errors", "0");
        xml.WriteAttributeString("skipped", Int(hosts.Sum(h => h.Skipped)));
        xml.WriteAttributeString("time", "0");

        WritePolicySuite(xml, header, criteriaFailures);

        if (contiguous)
        {
            using var reader = await ResultFileReader.OpenAsync(resultPath, cancellationToken).ConfigureAwait(false);
            string? open = null;
            foreach (var finding in reader.ReadFindings(cancellationToken))
            {
                var host = finding.Host ?? "-";
                if (!string.Equals(open, host, StringComparison.Ordinal))
                {
                    if (open is not null)
                    {
                        xml.WriteEndElement();
                    }

                    StartHostSuite(xml, header, byHost[host]);
                    open = host;
                }

                WriteCase(xml, header, finding);
                FlushEvery(xml, ref written);
            }

            if (open is not null)
            {
                xml.WriteEndElement();
            }
        }
        else
        {
            // Rows of a host are scattered: one streaming pass per host keeps memory flat (rare: Qualys groups by host).
            foreach (var tally in hosts)
            {
                StartHostSuite(xml, header, tally);
                using var reader = await ResultFileReader.OpenAsync(resultPath, cancellationToken).ConfigureAwait(false);
                foreach (var finding in reader.ReadFindings(cancellationToken))
                {
                    if (string.Equals(finding.Host ?? "-", tally.Host, StringComparison.Ordinal))
                    {
                        WriteCase(xml, header, finding);
                        FlushEvery(xml, ref written);
                    }
                }

                xml.WriteEndElement();
            }
        }

        xml.WriteEndElement();
        xml.WriteEndDocument();
        xml.Flush();
    }

    private static void FlushEvery(XmlWriter xml, ref int written)
    {
        // XmlWriter buffers internally; flushing now and then keeps the written bytes out of memory.
        if (++written % 512 == 0)
        {
            xml.Flush();
        }
    }

    private static void WritePolicySuite(XmlWriter xml, ResultHeader header, int failures)
    {
        xml.WriteStartElement("testsuite");
        xml.WriteAttributeString("name", "ScanGate policy");
        xml.WriteAttributeString("tests", Int(header.Criteria.Count));
        xml.WriteAttributeString("failures", Int(failures));
        xml.WriteAttributeString("errors", "0");
        xml.WriteAttributeString("skipped", "0");
        xml.WriteAttributeString("time", "0");
        if (header.GeneratedAt is { } at)
        {
            xml.WriteAttributeString("timestamp", ReportText.Xml(at.TrimEnd('Z')));
        }

        xml.WriteStartElement("properties");
        Property(xml, "verdict", header.Verdict);
        Property(xml, "scan.ref", header.Scan?.Ref);
        Property(xml, "scan.title", header.Scan?.Title);
        Property(xml, "scan.target", header.Scan?.Target);
        Property(xml, "include_potential", header.Policy?.IncludePotential == true ? "true" : "false");
        xml.WriteEndElement();

        foreach (var criterion in header.Criteria)
        {
            xml.WriteStartElement("testcase");
            xml.WriteAttributeString("classname", "scangate.policy");
            xml.WriteAttributeString("name", ReportText.CriterionLabel(criterion.Key) + " (" + criterion.Key + ")");
            xml.WriteAttributeString("time", "0");
            var detail = $"Configured: {ReportText.Value(criterion.Configured)}\nFound: {ReportText.Value(criterion.Found)}";
            if (!criterion.Passed)
            {
                xml.WriteStartElement("failure");
                xml.WriteAttributeString("message", ReportText.Xml($"{criterion.Key} failed: configured {ReportText.Value(criterion.Configured)}, found {ReportText.Value(criterion.Found)}"));
                xml.WriteAttributeString("type", "policy." + criterion.Key);
                xml.WriteString(ReportText.Xml(detail));
                xml.WriteEndElement();
            }
            else
            {
                xml.WriteElementString("system-out", ReportText.Xml(detail));
            }

            xml.WriteEndElement();
        }

        if (header.FailureReasons.Count > 0 || header.Warnings.Count > 0 || header.WarningReasons.Count > 0)
        {
            var lines = header.FailureReasons.Select(r => "FAIL: " + r)
                .Concat(header.WarningReasons.Select(r => "WARN: " + r))
                .Concat(header.Warnings.Select(w => "NOTE: " + w));
            xml.WriteElementString("system-out", ReportText.Xml(string.Join('\n', lines)));
        }

        xml.WriteEndElement();
    }

    private static void StartHostSuite(XmlWriter xml, ResultHeader header, HostTally tally)
    {
        xml.WriteStartElement("testsuite");
        xml.WriteAttributeString("name", "Host " + ReportText.Xml(tally.Host));
        xml.WriteAttributeString("tests", Int(tally.Tests));
        xml.WriteAttributeString("failures", Int(tally.Failures));
        xml.WriteAttributeString("errors", "0");
        xml.WriteAttributeString("skipped", Int(tally.Skipped));
        xml.WriteAttributeString("time", "0");
        xml.WriteAttributeString("hostname", ReportText.Xml(tally.Host));
        if (header.GeneratedAt is { } at)
        {
            xml.WriteAttributeString("timestamp", ReportText.Xml(at.TrimEnd('Z')));
        }
    }

    private static void WriteCase(XmlWriter xml, ResultHeader header, Finding finding)
    {
        xml.WriteStartElement("testcase");

        // Jenkins splits classname at the last dot into package and class: keep the host's dots out of it.
        xml.WriteAttributeString("classname", "host." + ReportText.Xml((finding.Host ?? "-").Replace('.', '_')));
        var name = new StringBuilder()
            .Append("QID ").Append(finding.Qid.ToString(CultureInfo.InvariantCulture))
            .Append(": ").Append(finding.Title ?? "(no title)");
        if (finding.PortLabel is { } port)
        {
            name.Append(" [").Append(port).Append(']');
        }

        xml.WriteAttributeString("name", ReportText.Xml(name.ToString()));
        xml.WriteAttributeString("time", "0");

        var summary = Summary(finding);
        switch (Outcome(finding))
        {
            case CaseOutcome.Failure:
                xml.WriteStartElement("failure");
                xml.WriteAttributeString("message", ReportText.Xml(
                    $"Severity {finding.Severity} ({ReportText.SeverityName(finding.Severity)}) {finding.Type} finding matched fail rules: {string.Join(", ", finding.Matched!)}"));
                xml.WriteAttributeString("type", string.Join(",", finding.Matched!));
                xml.WriteString(ReportText.Xml(summary));
                xml.WriteEndElement();
                break;
            case CaseOutcome.Skipped:
                xml.WriteStartElement("skipped");
                xml.WriteAttributeString("message", ReportText.Xml(SkipReason(finding)));
                xml.WriteEndElement();
                xml.WriteElementString("system-out", ReportText.Xml(summary));
                break;
            default:
                xml.WriteElementString("system-out", ReportText.Xml(finding.IsWarned ? $"WARN: matched warn rules {string.Join(", ", finding.Warned!)}\n{summary}" : summary));
                break;
        }

        xml.WriteEndElement();
    }

    private static string SkipReason(Finding finding)
    {
        if (finding.Excluded is { } excluded)
        {
            return $"excluded by {excluded.By} {excluded.Value}";
        }

        if (finding.Excepted is { } excepted)
        {
            return $"excepted by {excepted.Id} until {excepted.Expires ?? "-"}: {excepted.Reason}";
        }

        return finding.IsPotential ? "potential finding, not evaluated (include_potential is off)" : "not evaluated";
    }

    private static string Summary(Finding f)
    {
        var text = new StringBuilder();
        text.Append("Host: ").Append(f.Host).Append(f.Dns is null ? "" : " (" + f.Dns + ")").Append('\n');
        text.Append("QID: ").Append(f.Qid.ToString(CultureInfo.InvariantCulture)).Append(", severity ").Append(f.Severity?.ToString(CultureInfo.InvariantCulture) ?? "-")
            .Append(' ').Append(ReportText.SeverityName(f.Severity)).Append(", ").Append(f.Type).Append('\n');
        if (f.PortLabel is { } port)
        {
            text.Append("Port: ").Append(port).Append('\n');
        }

        if (f.Cvss3 is { } v3)
        {
            text.Append("CVSS v3: ").Append(ReportText.Number(v3)).Append(f.Cvss3Vector is null ? "" : " " + f.Cvss3Vector).Append('\n');
        }

        if (f.Cvss2 is { } v2)
        {
            text.Append("CVSS v2: ").Append(ReportText.Number(v2)).Append(f.Cvss2Vector is null ? "" : " " + f.Cvss2Vector).Append('\n');
        }

        if (f.Cves is { Count: > 0 } cves)
        {
            text.Append("CVEs: ").Append(string.Join(", ", cves)).Append('\n');
        }

        if (!string.IsNullOrEmpty(f.Solution))
        {
            text.Append("Solution: ").Append(f.Solution).Append('\n');
        }

        if (!string.IsNullOrEmpty(f.Results))
        {
            text.Append("Results: ").Append(f.Results).Append('\n');
        }

        return text.ToString();
    }

    private static CaseOutcome Outcome(Finding finding)
    {
        if (finding.IsFailing)
        {
            return CaseOutcome.Failure;
        }

        return finding.Excluded is not null || finding.Excepted is not null || !finding.Evaluated ? CaseOutcome.Skipped : CaseOutcome.Passed;
    }

    private static void Property(XmlWriter xml, string name, string? value)
    {
        xml.WriteStartElement("property");
        xml.WriteAttributeString("name", name);
        xml.WriteAttributeString("value", ReportText.Xml(value ?? "-"));
        xml.WriteEndElement();
    }

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    private enum CaseOutcome
    {
        Passed,
        Failure,
        Skipped,
    }

    private sealed class HostTally(string host)
    {
        public string Host { get; } = host;
        public int Tests { get; set; }
        public int Failures { get; set; }
        public int Skipped { get; set; }
    }
}
