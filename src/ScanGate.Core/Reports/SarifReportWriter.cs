using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace ScanGate.Reports;

/// <summary>
/// SARIF 2.1.0 written by hand with <see cref="Utf8JsonWriter"/>: a rule per QID (title, solution as help,
/// <c>security-severity</c> from CVSS) and a result per finding. Host findings have no source file, so every result
/// points at one repository file (GitHub code scanning requires a location). Three streaming passes: rule aggregates,
/// rules with their texts, then results; memory grows with the number of distinct QIDs, not with the findings.
/// </summary>
internal static class SarifReportWriter
{
    public const string SchemaUri = "https://json.schemastore.org/sarif-2.1.0.json";
    public const string FingerprintKey = "scangateFinding/v1";

    public static async Task WriteAsync(string resultPath, Stream output, string targetFile, CancellationToken cancellationToken)
    {
        // Pass 1: what each rule aggregates over its findings (no texts held: memory grows with distinct QIDs only).
        var rules = new List<Rule>();
        var ruleIndex = new Dictionary<long, int>();
        ResultHeader header;
        using (var reader = await ResultFileReader.OpenAsync(resultPath, cancellationToken).ConfigureAwait(false))
        {
            header = reader.Header;
            foreach (var f in reader.ReadFindings(cancellationToken))
            {
                if (!ruleIndex.TryGetValue(f.Qid, out var index))
                {
                    index = rules.Count;
                    ruleIndex.Add(f.Qid, index);
                    rules.Add(new Rule(f.Qid));
                }

                var rule = rules[index];
                rule.Severity = Math.Max(rule.Severity, f.Severity ?? 0);
                rule.Score = Math.Max(rule.Score, ReportText.SecuritySeverity(f.Cvss3, f.Cvss2, f.Severity));
                rule.Potential &= f.IsPotential;
                foreach (var cve in f.Cves ?? [])
                {
                    (rule.Cves ??= new(StringComparer.Ordinal)).Add(cve);
                }
            }
        }

        var uri = NormalizeUri(targetFile);
        await using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.Default });
        json.WriteStartObject();
        json.WriteString("$schema", SchemaUri);
        json.WriteString("version", "2.1.0");
        json.WriteStartArray("runs");
        json.WriteStartObject();

        json.WriteStartObject("tool");
        json.WriteStartObject("driver");
        json.WriteString("name", "ScanGate");
        json.WriteString("version", header.Tool?.Version ?? ToolInfo.Version);
        json.WriteString("informationUri", "https://github.com/scangate/scangate");
        json.WriteStartArray("rules");

        // Pass 2: each rule's texts come from its QID's first finding, met in the same order as in pass 1.
        using (var reader = await ResultFileReader.OpenAsync(resultPath, cancellationToken).ConfigureAwait(false))
        {
            var written = 0;
            foreach (var f in reader.ReadFindings(cancellationToken))
            {
                if (written < rules.Count && rules[written].Qid == f.Qid)
                {
                    WriteRule(json, rules[written], f);
                    if (++written % 256 == 0)
                    {
                        await json.FlushAsync(cancellationToken).ConfigureAwait(false);
                    }
                }
            }

            if (written != rules.Count)
            {
                throw new ResultFileException($"{resultPath} changed while the SARIF report was written.");
            }
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndObject();

        json.WriteStartObject("automationDetails");
        json.WriteString("id", "scangate/" + (header.Scan?.Target ?? "host") + "/");
        json.WriteEndObject();

        json.WriteStartArray("invocations");
        json.WriteStartObject();
        json.WriteBoolean("executionSuccessful", true);
        if (header.ExitCode is { } exitCode)
        {
            json.WriteNumber("exitCode", exitCode);
        }

        json.WriteStartObject("properties");
        json.WriteString("verdict", header.Verdict);
        json.WriteString("scanRef", header.Scan?.Ref);
        json.WriteString("scanTitle", header.Scan?.Title);
        json.WriteString("target", header.Scan?.Target);
        json.WriteStartArray("failureReasons");
        foreach (var reason in header.FailureReasons)
        {
            json.WriteStringValue(reason);
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteEndArray();

        json.WriteStartArray("results");
        using (var reader = await ResultFileReader.OpenAsync(resultPath, cancellationToken).ConfigureAwait(false))
        {
            var written = 0;
            foreach (var f in reader.ReadFindings(cancellationToken))
            {
                WriteResult(json, f, ruleIndex[f.Qid], uri);
                if (++written % 256 == 0)
                {
                    await json.FlushAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();
        await json.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A repository-relative URI with forward slashes (what code scanning matches against the checkout).</summary>
    internal static string NormalizeUri(string path)
    {
        if (Path.IsPathRooted(path))
        {
            // Outside any known workspace: an absolute file URI is still valid SARIF.
            return new Uri(Path.GetFullPath(path)).AbsoluteUri;
        }

        var p = path.Replace('\\', '/');
        while (p.StartsWith("./", StringComparison.Ordinal))
        {
            p = p[2..];
        }

        return string.Join('/', p.Split('/').Select(Uri.EscapeDataString));
    }

    private static string RuleId(long qid) => "QID-" + qid.ToString(CultureInfo.InvariantCulture);

    private static string Level(int severity) => severity >= 4 ? "error" : severity == 3 ? "warning" : "note";

    private static void WriteRule(Utf8JsonWriter json, Rule rule, Finding first)
    {
        json.WriteStartObject();
        json.WriteString("id", RuleId(rule.Qid));
        json.WriteString("name", "Qualys" + rule.Qid.ToString(CultureInfo.InvariantCulture));
        json.WriteStartObject("shortDescription");
        json.WriteString("text", Text(first.Title, $"QID {rule.Qid}"));
        json.WriteEndObject();
        json.WriteStartObject("fullDescription");
        json.WriteString("text", Text(first.Title, $"QID {rule.Qid}") + (first.Category is null ? "" : " (" + first.Category + ")"));
        json.WriteEndObject();
        json.WriteStartObject("help");
        json.WriteString("text", Text(first.Solution, "No solution given by the scanner."));
        json.WriteEndObject();
        json.WriteStartObject("defaultConfiguration");
        json.WriteString("level", Level(rule.Severity));
        json.WriteEndObject();
        json.WriteStartObject("properties");
        json.WriteString("security-severity", rule.Score.ToString("0.0", CultureInfo.InvariantCulture));
        json.WriteString("precision", rule.Potential ? "medium" : "high");
        json.WriteNumber("qualysSeverity", rule.Severity);
        json.WriteStartArray("tags");
        json.WriteStringValue("security");
        json.WriteStringValue("qualys");
        foreach (var cve in (rule.Cves ?? []).Order(StringComparer.Ordinal))
        {
            json.WriteStringValue(cve);
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteResult(Utf8JsonWriter json, Finding f, int ruleIndex, string uri)
    {
        json.WriteStartObject();
        json.WriteString("ruleId", RuleId(f.Qid));
        json.WriteNumber("ruleIndex", ruleIndex);
        json.WriteString("level", f.IsFailing ? "error" : f.IsWarned ? "warning" : "note");
        json.WriteString("kind", f.IsFailing || f.IsWarned ? "fail" : "review");

        var where = (f.Host ?? "-") + (f.PortLabel is { } port ? ":" + port : "");
        var message = new StringBuilder()
            .Append("QID ").Append(f.Qid.ToString(CultureInfo.InvariantCulture)).Append(' ')
            .Append(Text(f.Title, "(no title)")).Append(" on ").Append(where)
            .Append(" (severity ").Append(f.Severity?.ToString(CultureInfo.InvariantCulture) ?? "-").Append(' ').Append(ReportText.SeverityName(f.Severity))
            .Append(", ").Append(f.Type).Append(')');
        if (f.IsFailing)
        {
            message.Append(". Fails the gate: ").Append(string.Join(", ", f.Matched!));
        }
        else if (f.IsWarned)
        {
            message.Append(". Warns: ").Append(string.Join(", ", f.Warned!));
        }

        message.Append('.');
        json.WriteStartObject("message");
        json.WriteString("text", message.ToString());
        json.WriteEndObject();

        json.WriteStartArray("locations");
        json.WriteStartObject();
        json.WriteStartObject("physicalLocation");
        json.WriteStartObject("artifactLocation");
        json.WriteString("uri", uri);
        json.WriteEndObject();
        json.WriteStartObject("region");
        json.WriteNumber("startLine", 1);
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteStartArray("logicalLocations");
        json.WriteStartObject();
        json.WriteString("name", where);
        json.WriteString("fullyQualifiedName", where);
        json.WriteString("kind", "resource");
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndArray();

        json.WriteStartObject("partialFingerprints");
        json.WriteString(FingerprintKey, Fingerprint(f));
        json.WriteEndObject();

        if (f.Excluded is not null || f.Excepted is not null)
        {
            json.WriteStartArray("suppressions");
            json.WriteStartObject();
            json.WriteString("kind", "external");
            json.WriteString("status", "accepted");
            json.WriteString("justification", f.Excluded is { } x ? $"Excluded by {x.By} {x.Value}" : $"Exception {f.Excepted!.Id} until {f.Excepted.Expires ?? "-"}: {f.Excepted.Reason}");
            json.WriteEndObject();
            json.WriteEndArray();
        }

        json.WriteStartObject("properties");
        json.WriteString("host", f.Host);
        if (f.Dns is not null)
        {
            json.WriteString("dns", f.Dns);
        }

        json.WriteString("port", f.Port);
        json.WriteString("protocol", f.Protocol);
        json.WriteNumber("qualysSeverity", f.Severity ?? 0);
        json.WriteString("type", f.Type);
        json.WriteString("security-severity", ReportText.SecuritySeverity(f.Cvss3, f.Cvss2, f.Severity).ToString("0.0", CultureInfo.InvariantCulture));
        if (f.Cvss3 is { } v3)
        {
            json.WriteNumber("cvss3", v3);
        }

        if (f.Cvss2 is { } v2)
        {
            json.WriteNumber("cvss2", v2);
        }

        json.WriteStartArray("cves");
        foreach (var cve in f.Cves ?? [])
        {
            json.WriteStringValue(cve);
        }

        json.WriteEndArray();
        json.WriteBoolean("pci", f.Pci == true);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>Stable across scans of the same host, so code scanning tracks one alert per host × QID × port.</summary>
    private static string Fingerprint(Finding f)
    {
        var key = $"{f.Host}|{f.Qid.ToString(CultureInfo.InvariantCulture)}|{f.Port}|{f.Protocol}";
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..32];
    }

    private static string Text(string? text, string fallback) => string.IsNullOrWhiteSpace(text) ? fallback : text;

    private sealed class Rule(long qid)
    {
        public long Qid { get; } = qid;
        public int Severity { get; set; }
        public double Score { get; set; }
        public bool Potential { get; set; } = true;
        public HashSet<string>? Cves { get; set; }
    }
}
