using System.Text.Json;
using System.Text.Json.Serialization;

namespace ScanGate.Reports;

/// <summary>
/// Everything of <c>scangate-result.json</c> (docs/result-schema.md) that comes before <c>findings</c>: small, so it is
/// held whole. Criteria keep their JSON values because <c>configured</c>/<c>found</c> change type per criterion.
/// </summary>
public sealed class ResultHeader
{
    public int SchemaVersion { get; init; }

    public ToolRecord? Tool { get; init; }

    public string? GeneratedAt { get; init; }

    public string Verdict { get; init; } = "";

    public int? ExitCode { get; init; }

    public SourceRecord? Source { get; init; }

    public ScanRecord? Scan { get; init; }

    public PolicyRecord? Policy { get; init; }

    /// <summary>Fail criteria in file order: key → { configured, found, passed }.</summary>
    public IReadOnlyList<CriterionRecord> Criteria { get; init; } = [];

    public IReadOnlyList<CriterionRecord> WarnCriteria { get; init; } = [];

    public CountsRecord Counts { get; init; } = new();

    public IReadOnlyList<string> FailureReasons { get; init; } = [];

    public IReadOnlyList<string> WarningReasons { get; init; } = [];

    public IReadOnlyList<string> Warnings { get; init; } = [];

    public IReadOnlyList<ExceptionRecord> Exceptions { get; init; } = [];

    /// <summary>The host a report is about: the scan target, else its IPs, else "-".</summary>
    public string TargetLabel => Scan?.Target ?? Scan?.Ips ?? "-";
}

public sealed record ToolRecord(string? Name, string? Version);

public sealed record SourceRecord(string? Kind, string? Path);

public sealed class ScanRecord
{
    public string? Ref { get; init; }
    public string? Id { get; init; }
    public string? Title { get; init; }
    public string? Target { get; init; }
    public string? State { get; init; }
    public string? SubState { get; init; }
    public string? LaunchDate { get; init; }
    public string? Duration { get; init; }
    public string? Type { get; init; }
    public string? Status { get; init; }
    public string? OptionProfile { get; init; }
    public string? ScannerAppliance { get; init; }
    public string? Network { get; init; }
    public string? Ips { get; init; }
    public string? ActiveHosts { get; init; }
    public string? TotalHosts { get; init; }
    public string? StartedAt { get; init; }
    public string? FinishedAt { get; init; }
    public double? ElapsedSeconds { get; init; }
    public int? ApiCalls { get; init; }
}

public sealed class PolicyRecord
{
    public bool IncludePotential { get; init; }
    public JsonElement? FailOn { get; init; }
    public JsonElement? WarnOn { get; init; }
    public ExcludeRecord? Exclude { get; init; }
    public string? ExceptionsFile { get; init; }
}

public sealed record ExcludeRecord(string? Qids, string? Cves);

/// <summary>One criterion: its key (severity, qids, cvss3, ...) and the raw configured/found values.</summary>
public sealed record CriterionRecord(string Key, JsonElement Configured, JsonElement Found, bool Passed);

public sealed class CountsRecord
{
    public long Rows { get; init; }
    public IReadOnlyDictionary<string, long> Confirmed { get; init; } = new Dictionary<string, long>(StringComparer.Ordinal);
    public IReadOnlyDictionary<string, long> Potential { get; init; } = new Dictionary<string, long>(StringComparer.Ordinal);
    public long InformationGathered { get; init; }
    public long Evaluated { get; init; }
    public long Excluded { get; init; }
    public long Excepted { get; init; }

    public long ConfirmedAt(int severity) => Confirmed.TryGetValue(severity.ToString(System.Globalization.CultureInfo.InvariantCulture), out var n) ? n : 0;

    public long PotentialAt(int severity) => Potential.TryGetValue(severity.ToString(System.Globalization.CultureInfo.InvariantCulture), out var n) ? n : 0;
}

public sealed class ExceptionRecord
{
    public string? Id { get; init; }
    public long? Qid { get; init; }
    public string? Cve { get; init; }
    public IReadOnlyList<string>? Hosts { get; init; }
    public string? Reason { get; init; }
    public string? Expires { get; init; }
    public string? Status { get; init; }
    public long Matched { get; init; }
}

/// <summary>One Vuln (confirmed) or Practice (potential) row of the result.</summary>
public sealed class Finding
{
    public string? Host { get; init; }
    public string? Dns { get; init; }
    public string? Netbios { get; init; }
    public string? Os { get; init; }
    public long Qid { get; init; }
    public string? Title { get; init; }
    public int? Severity { get; init; }
    public string? Type { get; init; }
    public string? Category { get; init; }

    [JsonConverter(typeof(StringOrNumberConverter))]
    public string? Port { get; init; }

    public string? Protocol { get; init; }
    public IReadOnlyList<string>? Cves { get; init; }
    public double? Cvss2 { get; init; }
    public string? Cvss2Vector { get; init; }
    public double? Cvss3 { get; init; }
    public string? Cvss3Vector { get; init; }
    public bool? Pci { get; init; }
    public bool? Exploitable { get; init; }
    public bool? Malware { get; init; }

    [JsonConverter(typeof(StringOrNumberConverter))]
    public string? BugtraqId { get; init; }

    public string? Results { get; init; }
    public string? Solution { get; init; }
    public bool Evaluated { get; init; }
    public IReadOnlyList<string>? Matched { get; init; }
    public IReadOnlyList<string>? Warned { get; init; }
    public ExclusionRecord? Excluded { get; init; }
    public ExceptedRecord? Excepted { get; init; }

    public bool IsPotential => string.Equals(Type, "potential", StringComparison.Ordinal);

    public bool IsFailing => Matched is { Count: > 0 };

    public bool IsWarned => Warned is { Count: > 0 };

    /// <summary>"443/tcp", "443", or null when the finding has no port.</summary>
    public string? PortLabel => string.IsNullOrEmpty(Port) ? null : string.IsNullOrEmpty(Protocol) ? Port : Port + "/" + Protocol;
}

public sealed record ExclusionRecord(string? By, string? Value);

public sealed record ExceptedRecord(string? Id, string? Reason, string? Expires);

/// <summary>Ports and Bugtraq IDs arrive as strings in the schema; accept numbers too rather than reject the file.</summary>
internal sealed class StringOrNumberConverter : JsonConverter<string?>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.Null => null,
        JsonTokenType.String => reader.GetString(),
        JsonTokenType.Number => System.Text.Encoding.UTF8.GetString(reader.ValueSpan),
        _ => throw new JsonException($"expected a string or number, found {reader.TokenType}"),
    };

    public override void Write(Utf8JsonWriter writer, string? value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (value is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteStringValue(value);
        }
    }
}
