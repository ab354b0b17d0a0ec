using System.Globalization;
using System.Text.Json;

namespace ScanGate.Scanning;

/// <summary>
/// Writes <c>scangate-result.json</c> (schema version 1, docs/result-schema.md) for a run that ended without a
/// judged result (Error, Canceled, host down, timeout, interruption, API failure), so CI and reports always find
/// what is known. The verdict is never <c>pass</c> unless the user chose <c>--on-host-down pass|warn</c>.
/// </summary>
public static class ScanResultFile
{
    public const string FileName = "scangate-result.json";

    public static async Task<string> WriteUnjudgedAsync(
        string outputDirectory,
        ScanRecord scan,
        string verdict,
        int exitCode,
        IReadOnlyList<string> failureReasons,
        IReadOnlyList<string> warnings,
        DateTimeOffset generatedAt,
        CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(outputDirectory);
        var path = Path.Combine(outputDirectory, FileName);
        var temp = path + ".tmp";
        await using (var stream = File.Create(temp))
        {
            await using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
            json.WriteStartObject();
            json.WriteNumber("schema_version", 1);
            json.WriteStartObject("tool");
            json.WriteString("name", ToolInfo.Name);
            json.WriteString("version", ToolInfo.Version);
            json.WriteEndObject();
            json.WriteString("generated_at", FormatTime(generatedAt));
            json.WriteString("verdict", verdict);
            json.WriteNumber("exit_code", exitCode);
            json.WriteStartObject("source");
            json.WriteString("kind", scan.SourceKind);
            WriteNullable(json, "path", string.Equals(scan.SourceKind, "scan_ref", StringComparison.Ordinal) ? scan.Reference : null);
            json.WriteEndObject();
            WriteScan(json, scan);
            json.WriteNull("policy");
            json.WriteStartObject("criteria");
            json.WriteEndObject();
            json.WriteStartObject("warn_criteria");
            json.WriteEndObject();
            WriteZeroCounts(json);
            WriteStrings(json, "failure_reasons", string.Equals(verdict, "fail", StringComparison.Ordinal) ? failureReasons : []);
            WriteStrings(json, "warning_reasons", string.Equals(verdict, "warn", StringComparison.Ordinal) ? failureReasons : []);
            WriteStrings(json, "warnings", warnings);
            json.WriteStartArray("exceptions");
            json.WriteEndArray();
            json.WriteStartArray("findings");
            json.WriteEndArray();
            json.WriteEndObject();
        }

        File.Move(temp, path, overwrite: true);
        return path;
    }

    /// <summary>The <c>scan</c> object: summary keys the run knows, lifecycle keys always.</summary>
    public static void WriteScan(Utf8JsonWriter json, ScanRecord scan)
    {
        json.WriteStartObject("scan");
        WriteScanProperties(json, scan);
        json.WriteEndObject();
    }

    /// <summary>The keys of the <c>scan</c> object (without the braces), in schema order.</summary>
    public static void WriteScanProperties(Utf8JsonWriter json, ScanRecord scan)
    {
        WriteNullable(json, "ref", scan.Reference);
        WriteNullable(json, "id", scan.Id);
        WriteNullable(json, "title", scan.Title);
        WriteNullable(json, "target", scan.Target);
        WriteNullable(json, "state", scan.State);
        WriteNullable(json, "sub_state", scan.SubState);
        json.WriteNull("launch_date");
        WriteNullable(json, "duration", scan.Duration);
        json.WriteString("type", "API");
        WriteNullable(json, "status", scan.State);
        json.WriteNull("option_profile");
        json.WriteNull("scanner_appliance");
        json.WriteNull("network");
        json.WriteNull("ips");
        json.WriteNull("active_hosts");
        json.WriteNull("total_hosts");
        WriteLifecycle(json, scan);
    }

    /// <summary>The lifecycle keys only (<c>started_at</c> … <c>api_calls</c>).</summary>
    public static void WriteLifecycle(Utf8JsonWriter json, ScanRecord scan)
    {
        json.WriteString("started_at", FormatTime(scan.StartedAt));
        if (scan.FinishedAt is { } finished)
        {
            json.WriteString("finished_at", FormatTime(finished));
        }
        else
        {
            json.WriteNull("finished_at");
        }

        if (scan.ElapsedSeconds is { } elapsed)
        {
            json.WriteNumber("elapsed_seconds", Math.Round(elapsed, 3));
        }
        else
        {
            json.WriteNull("elapsed_seconds");
        }

        json.WriteNumber("api_calls", scan.ApiCalls);
        json.WriteBoolean("cancel_requested", scan.CancelRequested);
    }

    public static string FormatTime(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static void WriteZeroCounts(Utf8JsonWriter json)
    {
        json.WriteStartObject("counts");
        json.WriteNumber("rows", 0);
        foreach (var name in new[] { "confirmed", "potential" })
        {
            json.WriteStartObject(name);
            for (var severity = 1; severity <= 5; severity++)
            {
                json.WriteNumber(severity.ToString(CultureInfo.InvariantCulture), 0);
            }

            json.WriteEndObject();
        }

        json.WriteNumber("information_gathered", 0);
        json.WriteNumber("evaluated", 0);
        json.WriteNumber("excluded", 0);
        json.WriteNumber("excepted", 0);
        json.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter json, string name, IReadOnlyList<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }

    private static void WriteNullable(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }
}
