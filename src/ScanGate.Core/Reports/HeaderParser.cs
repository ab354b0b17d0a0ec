using System.Text.Json;

namespace ScanGate.Reports;

/// <summary>Turns the header keys of a result into a <see cref="ResultHeader"/>, rejecting what a report cannot trust.</summary>
internal static class HeaderParser
{
    public const int SupportedSchemaVersion = 1;

    public static ResultHeader Parse(IReadOnlyDictionary<string, JsonElement> fields, string name)
    {
        var version = Get(fields, "schema_version");
        if (version is not { ValueKind: JsonValueKind.Number } v || !v.TryGetInt32(out var schemaVersion))
        {
            throw new ResultFileException($"{name}: schema_version is missing or not a number ('{Raw(version)}'); not a scangate-result.json.");
        }

        if (schemaVersion != SupportedSchemaVersion)
        {
            throw new ResultFileException($"{name}: schema_version {schemaVersion} is not supported (this ScanGate reads version {SupportedSchemaVersion}).");
        }

        var verdict = Get(fields, "verdict");
        var verdictText = verdict is { ValueKind: JsonValueKind.String } s ? s.GetString() : null;
        if (verdictText is not ("pass" or "fail" or "warn"))
        {
            throw new ResultFileException($"{name}: verdict must be \"pass\", \"fail\" or \"warn\", found '{Raw(verdict)}'.");
        }

        var counts = Get(fields, "counts");
        if (counts is not { ValueKind: JsonValueKind.Object })
        {
            throw new ResultFileException($"{name}: counts is missing or not an object ('{Raw(counts)}').");
        }

        try
        {
            return new ResultHeader
            {
                SchemaVersion = schemaVersion,
                Verdict = verdictText,
                Tool = As<ToolRecord>(fields, "tool"),
                GeneratedAt = As<string>(fields, "generated_at"),
                ExitCode = As<int?>(fields, "exit_code"),
                Source = As<SourceRecord>(fields, "source"),
                Scan = As<ScanRecord>(fields, "scan"),
                Policy = As<PolicyRecord>(fields, "policy"),
                Criteria = Criteria(fields, "criteria", name),
                WarnCriteria = Criteria(fields, "warn_criteria", name),
                Counts = counts.Value.Deserialize<CountsRecord>(ResultFileReader.SerializerOptions) ?? new CountsRecord(),
                FailureReasons = As<List<string>>(fields, "failure_reasons") ?? [],
                WarningReasons = As<List<string>>(fields, "warning_reasons") ?? [],
                Warnings = As<List<string>>(fields, "warnings") ?? [],
                Exceptions = As<List<ExceptionRecord>>(fields, "exceptions") ?? [],
            };
        }
        catch (JsonException e)
        {
            throw new ResultFileException($"{name}: {e.Path?.TrimStart('$')} {e.Message}", e);
        }
        catch (InvalidOperationException e)
        {
            throw new ResultFileException($"{name}: {e.Message}", e);
        }
    }

    private static JsonElement? Get(IReadOnlyDictionary<string, JsonElement> fields, string key) =>
        fields.TryGetValue(key, out var value) ? value : null;

    private static string Raw(JsonElement? value)
    {
        if (value is null)
        {
            return "(missing)";
        }

        var text = value.Value.GetRawText();
        return text.Length > 60 ? text[..60] + "…" : text;
    }

    private static T? As<T>(IReadOnlyDictionary<string, JsonElement> fields, string key)
    {
        if (!fields.TryGetValue(key, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return default;
        }

        try
        {
            return value.Deserialize<T>(ResultFileReader.SerializerOptions);
        }
        catch (JsonException e)
        {
            throw new JsonException($"{key}{e.Path?.TrimStart('$')}: {e.Message}", e);
        }
    }

    private static List<CriterionRecord> Criteria(IReadOnlyDictionary<string, JsonElement> fields, string key, string name)
    {
        var list = new List<CriterionRecord>();
        if (!fields.TryGetValue(key, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return list;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new ResultFileException($"{name}: {key} must be an object, found {value.ValueKind}.");
        }

        foreach (var property in value.EnumerateObject())
        {
            var item = property.Value;
            if (item.ValueKind != JsonValueKind.Object
                || !item.TryGetProperty("passed", out var passed)
                || passed.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                // Fail closed: a criterion whose outcome is unreadable must not be shown as passed.
                throw new ResultFileException($"{name}: {key}.{property.Name}.passed must be true or false.");
            }

            list.Add(new CriterionRecord(
                property.Name,
                item.TryGetProperty("configured", out var configured) ? configured.Clone() : default,
                item.TryGetProperty("found", out var found) ? found.Clone() : default,
                passed.GetBoolean()));
        }

        return list;
    }
}
