using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace ScanGate.Policy;

/// <summary>Writes <c>scangate-result.json</c> (docs/result-schema.md), keys in schema order with <c>findings</c> last.</summary>
internal sealed class ResultDocument(
    DateTimeOffset generatedAt,
    Verdict verdict,
    int exitCode,
    ResultSource source,
    IReadOnlyDictionary<string, string?> scan,
    EffectivePolicy policy,
    EvaluationSummary summary,
    IReadOnlyList<string> failureReasons)
{
    private static readonly string[] ScanKeys =
    [
        "ref", "id", "title", "target", "state", "sub_state", "launch_date", "duration", "type", "status", "option_profile",
        "scanner_appliance", "network", "ips", "active_hosts", "total_hosts", "started_at", "finished_at", "elapsed_seconds", "api_calls",
    ];

    public static string VerdictName(Verdict verdict) => verdict switch
    {
        Verdict.Fail => "fail",
        Verdict.Warn => "warn",
        _ => "pass",
    };

    /// <summary>The <c>scan</c> object: the result's summary element, overlaid with what the caller knows.</summary>
    public static IReadOnlyDictionary<string, string?> BuildScan(IReadOnlyDictionary<string, string?>? fields, ScanOverlay? overlay)
    {
        string? F(string key) => fields?.GetValueOrDefault(key);
        static string? Time(DateTimeOffset? t) => t?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var scan = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["ref"] = overlay?.Ref ?? F("reference"),
            ["id"] = overlay?.Id,
            ["title"] = overlay?.Title ?? F("scan_title"),
            ["target"] = overlay?.Target ?? F("ips"),
            ["state"] = overlay?.State,
            ["sub_state"] = overlay?.SubState,
            ["launch_date"] = F("launch_date"),
            ["duration"] = F("duration"),
            ["type"] = F("type"),
            ["status"] = F("status"),
            ["option_profile"] = F("option_profile"),
            ["scanner_appliance"] = F("scanner_appliance"),
            ["network"] = F("network"),
            ["ips"] = F("ips"),
            ["active_hosts"] = F("active_hosts"),
            ["total_hosts"] = F("total_hosts"),
            ["started_at"] = Time(overlay?.StartedAt),
            ["finished_at"] = Time(overlay?.FinishedAt),
            ["elapsed_seconds"] = overlay?.ElapsedSeconds?.ToString("0.###", CultureInfo.InvariantCulture),
            ["api_calls"] = overlay?.ApiCalls?.ToString(CultureInfo.InvariantCulture),
        };
        return scan;
    }

    /// <summary>Everything before the findings, ending with <c>"findings": [</c>; the spool writes the rest.</summary>
    public ReadOnlyMemory<byte> RenderHead()
    {
        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        using (var json = new Utf8JsonWriter(buffer, EvaluationRunner.IndentedOptions))
        {
            WriteHead(json);
            json.WriteStartArray("findings"u8);
        }

        return buffer.WrittenMemory;
    }

    private void WriteHead(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteNumber("schema_version"u8, 1);
        json.WriteStartObject("tool"u8);
        json.WriteString("name"u8, ToolInfo.Name);
        json.WriteString("version"u8, ToolInfo.Version);
        json.WriteEndObject();
        json.WriteString("generated_at"u8, generatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        json.WriteString("verdict"u8, VerdictName(verdict));
        json.WriteNumber("exit_code"u8, exitCode);
        json.WriteStartObject("source"u8);
        json.WriteString("kind"u8, source.Kind);
        json.WriteString("path"u8, source.Path);
        json.WriteEndObject();

        json.WriteStartObject("scan"u8);
        foreach (var key in ScanKeys)
        {
            var value = scan.GetValueOrDefault(key);
            if (value is not null && key is "elapsed_seconds" or "api_calls")
            {
                json.WriteNumber(key, double.Parse(value, CultureInfo.InvariantCulture));
            }
            else
            {
                json.WriteString(key, value);
            }
        }

        json.WriteEndObject();

        WritePolicy(json);
        WriteCriteria(json, "criteria"u8, summary.Criteria);
        WriteCriteria(json, "warn_criteria"u8, summary.WarnCriteria);
        WriteCounts(json);
        WriteStrings(json, "failure_reasons"u8, failureReasons);
        WriteStrings(json, "warning_reasons"u8, summary.WarningReasons);
        WriteStrings(json, "warnings"u8, summary.Warnings);

        json.WriteStartArray("exceptions"u8);
        foreach (var status in summary.Exceptions)
        {
            var e = status.Entry;
            json.WriteStartObject();
            json.WriteString("id"u8, e.Id);
            if (e.Qid is { } qid)
            {
                json.WriteNumber("qid"u8, qid);
            }
            else
            {
                json.WriteNull("qid"u8);
            }

            json.WriteString("cve"u8, e.Cve);
            if (e.Hosts.Count == 0)
            {
                json.WriteNull("hosts"u8);
            }
            else
            {
                WriteStrings(json, "hosts"u8, e.Hosts);
            }

            json.WriteString("reason"u8, e.Reason);
            json.WriteString("expires"u8, e.Expires.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            json.WriteString("status"u8, status.Status);
            json.WriteNumber("matched"u8, status.Matched);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private void WritePolicy(Utf8JsonWriter json)
    {
        json.WriteStartObject("policy"u8);
        json.WriteBoolean("include_potential"u8, policy.IncludePotential);
        WriteRules(json, "fail_on"u8, policy.FailOn);
        WriteRules(json, "warn_on"u8, policy.WarnOn);
        json.WriteStartObject("exclude"u8);
        json.WriteString("qids"u8, policy.ExcludeQids?.Text);
        json.WriteString("cves"u8, policy.ExcludeCves?.Text);
        json.WriteEndObject();
        json.WriteString("exceptions_file"u8, policy.ExceptionsFile);
        json.WriteString("policy_file"u8, policy.PolicyFile);
        if (policy.WarnExitCode is { } warnExitCode)
        {
            json.WriteNumber("warn_exit_code"u8, warnExitCode);
        }
        else
        {
            json.WriteNull("warn_exit_code"u8);
        }

        json.WriteEndObject();
    }

    private static void WriteRules(Utf8JsonWriter json, ReadOnlySpan<byte> name, RuleSet rules)
    {
        json.WriteStartObject(name);
        WriteNullableNumber(json, "severity"u8, rules.Severity);
        if (rules.SeverityCounts is { Count: > 0 } counts)
        {
            json.WriteStartObject("severity_counts"u8);
            foreach (var (level, limit) in counts.OrderByDescending(p => p.Key))
            {
                json.WriteNumber(level.ToString(CultureInfo.InvariantCulture), limit);
            }

            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("severity_counts"u8);
        }

        json.WriteString("qids"u8, rules.Qids?.Text);
        json.WriteString("cves"u8, rules.Cves?.Text);
        WriteNullableNumber(json, "cvss2"u8, rules.Cvss2);
        WriteNullableNumber(json, "cvss3"u8, rules.Cvss3);
        json.WriteBoolean("pci"u8, rules.Pci);
        json.WriteEndObject();
    }

    private static void WriteCriteria(Utf8JsonWriter json, ReadOnlySpan<byte> name, IReadOnlyList<CriterionResult> criteria)
    {
        json.WriteStartObject(name);
        foreach (var c in criteria)
        {
            json.WriteStartObject(c.Key);
            json.WritePropertyName("configured"u8);
            WriteValue(json, c.Configured);
            json.WritePropertyName("found"u8);
            WriteValue(json, c.Found);
            json.WriteBoolean("passed"u8, c.Passed);
            json.WriteEndObject();
        }

        json.WriteEndObject();
    }

    private void WriteCounts(Utf8JsonWriter json)
    {
        var counts = summary.Counts;
        json.WriteStartObject("counts"u8);
        json.WriteNumber("rows"u8, counts.Rows);
        WriteBySeverity(json, "confirmed"u8, counts.Confirmed);
        WriteBySeverity(json, "potential"u8, counts.Potential);
        json.WriteNumber("information_gathered"u8, counts.InformationGathered);
        json.WriteNumber("evaluated"u8, counts.Evaluated);
        json.WriteNumber("excluded"u8, counts.Excluded);
        json.WriteNumber("excepted"u8, counts.Excepted);
        json.WriteEndObject();
    }

    private static void WriteBySeverity(Utf8JsonWriter json, ReadOnlySpan<byte> name, long[] bySeverity)
    {
        json.WriteStartObject(name);
        for (var level = 1; level <= 5; level++)
        {
            json.WriteNumber(level.ToString(CultureInfo.InvariantCulture), bySeverity[level]);
        }

        json.WriteEndObject();
    }

    internal static void WriteValue(Utf8JsonWriter json, object value)
    {
        switch (value)
        {
            case bool b: json.WriteBooleanValue(b); break;
            case int i: json.WriteNumberValue(i); break;
            case long l: json.WriteNumberValue(l); break;
            case double d: json.WriteNumberValue(d); break;
            case string s: json.WriteStringValue(s); break;
            case IEnumerable<long> qids:
                json.WriteStartArray();
                foreach (var q in qids)
                {
                    json.WriteNumberValue(q);
                }

                json.WriteEndArray();
                break;
            case IEnumerable<string> strings:
                json.WriteStartArray();
                foreach (var s in strings)
                {
                    json.WriteStringValue(s);
                }

                json.WriteEndArray();
                break;
            case IEnumerable<KeyValuePair<string, int>> map:
                json.WriteStartObject();
                foreach (var (k, v) in map.OrderByDescending(p => p.Key, StringComparer.Ordinal))
                {
                    json.WriteNumber(k, v);
                }

                json.WriteEndObject();
                break;
            case IEnumerable<KeyValuePair<string, long>> map:
                json.WriteStartObject();
                foreach (var (k, v) in map.OrderByDescending(p => p.Key, StringComparer.Ordinal))
                {
                    json.WriteNumber(k, v);
                }

                json.WriteEndObject();
                break;
            default:
                throw new InvalidOperationException($"Unsupported criterion value type {value.GetType().Name}.");
        }
    }

    private static void WriteStrings(Utf8JsonWriter json, ReadOnlySpan<byte> name, IEnumerable<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }

    private static void WriteNullableNumber(Utf8JsonWriter json, ReadOnlySpan<byte> name, double? value)
    {
        if (value is { } v)
        {
            json.WriteNumber(name, v);
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
