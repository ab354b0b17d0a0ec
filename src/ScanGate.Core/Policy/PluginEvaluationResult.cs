using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ScanGate.Policy;

/// <summary>
/// The Jenkins plugin's <c>evaluationResult</c> object (original-plugin.md §6.4), built from our evaluation of the
/// <c>fail_on</c> rules, so tools that read <c>qualys_&lt;ref&gt;.json</c> keep working. A <c>warn</c> verdict is
/// <c>"pass"</c> here (the plugin knows only pass and fail).
/// </summary>
public static class PluginEvaluationResult
{
    public static string ToJson(EvaluationSummary summary, EffectivePolicy policy)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = FindingsSpool.CompactOptions.Encoder }))
        {
            Write(json, summary, policy);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    public static void Write(Utf8JsonWriter json, EvaluationSummary summary, EffectivePolicy policy)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentNullException.ThrowIfNull(policy);
        json.WriteStartObject();
        if (!policy.HasCriteria)
        {
            // The plugin's untouched defaults when no condition is configured.
            json.WriteStartObject("qids"u8);
            json.WriteNull("exclude"u8);
            json.WriteEndObject();
            json.WriteNull("severities"u8);
            json.WriteStartObject("cveIds"u8);
            json.WriteNull("exclude"u8);
            json.WriteEndObject();
            json.WriteNull("cvss_base"u8);
            json.WriteNull("cvss3_base"u8);
            json.WriteNull("pci_vuln"u8);
            json.WriteNull("evaluationStatus"u8);
            json.WriteEndObject();
            return;
        }

        var criteria = summary.Criteria.ToDictionary(c => c.Key, StringComparer.Ordinal);
        var rules = policy.FailOn;

        json.WriteStartObject("qids"u8);
        if (criteria.TryGetValue("qids", out var qids))
        {
            json.WriteString("configured"u8, (string)qids.Configured);
            var found = (IEnumerable<long>)qids.Found;
            WriteJoinedOrZero(json, string.Join(",", found.Select(q => q.ToString(CultureInfo.InvariantCulture))));
            json.WriteBoolean("result"u8, qids.Passed);
        }
        else
        {
            WriteUnconfigured(json);
        }

        json.WriteString("excluded"u8, policy.ExcludeQids?.Text);
        json.WriteEndObject();

        WriteSeverities(json, summary, policy);

        json.WriteStartObject("cveIds"u8);
        if (criteria.TryGetValue("cves", out var cves))
        {
            json.WriteString("configured"u8, (string)cves.Configured);
            WriteJoinedOrZero(json, string.Join(",", (IEnumerable<string>)cves.Found));
            json.WriteBoolean("result"u8, cves.Passed);
        }
        else
        {
            WriteUnconfigured(json);
        }

        json.WriteString("excluded"u8, policy.ExcludeCves?.Text);
        json.WriteEndObject();

        WriteScore(json, "cvss_base"u8, rules.Cvss2, criteria.GetValueOrDefault("cvss2"));
        WriteScore(json, "cvss3_base"u8, rules.Cvss3, criteria.GetValueOrDefault("cvss3"));
        if (criteria.TryGetValue("pci", out var pci))
        {
            json.WriteStartObject("pci_vuln"u8);
            json.WriteString("configured"u8, "yes");
            json.WriteNumber("found"u8, (long)pci.Found);
            json.WriteBoolean("result"u8, pci.Passed);
            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("pci_vuln"u8);
        }

        json.WriteBoolean("potentialVulnsChecked"u8, policy.IncludePotential);
        json.WriteString("evaluationStatus"u8, summary.Verdict == Verdict.Fail ? "fail" : "pass");
        json.WriteEndObject();
    }

    private static void WriteUnconfigured(Utf8JsonWriter json)
    {
        json.WriteNumber("configured"u8, 0);
        json.WriteNumber("found"u8, 0);
        json.WriteBoolean("result"u8, true);
    }

    private static void WriteJoinedOrZero(Utf8JsonWriter json, string joined)
    {
        if (joined.Length == 0)
        {
            json.WriteNumber("found"u8, 0);
        }
        else
        {
            json.WriteString("found"u8, joined);
        }
    }

    private static void WriteScore(Utf8JsonWriter json, ReadOnlySpan<byte> name, double? threshold, CriterionResult? result)
    {
        if (threshold is not { } value || result is null)
        {
            json.WriteNull(name);
            return;
        }

        json.WriteStartObject(name);
        json.WriteString("configured"u8, value.ToString("0.0##", CultureInfo.InvariantCulture));
        json.WriteNumber("found"u8, (long)result.Found);
        json.WriteBoolean("result"u8, result.Passed);
        json.WriteEndObject();
    }

    private static void WriteSeverities(Utf8JsonWriter json, EvaluationSummary summary, EffectivePolicy policy)
    {
        var rules = policy.FailOn;
        if (rules.Severity is null && rules.SeverityCounts is not { Count: > 0 })
        {
            json.WriteNull("severities"u8);
            return;
        }

        json.WriteStartObject("severities"u8);
        for (var level = 1; level <= 5; level++)
        {
            // "severity >= N" is the plugin's "count >= 1 for each of N..5"; severity_counts sets its own limit.
            int? configured = rules.Severity is { } min && level >= min ? 1 : null;
            if (rules.SeverityCounts?.TryGetValue(level, out var limit) == true)
            {
                configured = configured is { } c ? Math.Min(c, limit) : limit;
            }

            var found = summary.Counts.Confirmed[level] + (policy.IncludePotential ? summary.Counts.Potential[level] : 0);
            json.WriteStartObject(level.ToString(CultureInfo.InvariantCulture));
            if (configured is { } limitValue)
            {
                json.WriteNumber("configured"u8, limitValue);
                json.WriteNumber("found"u8, found);
                json.WriteBoolean("result"u8, found < limitValue);
            }
            else
            {
                json.WriteNull("configured"u8);
                json.WriteNull("found"u8);
                json.WriteBoolean("result"u8, true);
            }

            json.WriteEndObject();
        }

        json.WriteEndObject();
    }
}
