using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace ScanGate.Policy;

/// <summary>
/// Writes finding objects, one per line, to a temporary file that deletes itself, so <c>findings</c> can be placed
/// last in <c>scangate-result.json</c> after the verdict is known without holding the findings in memory.
/// </summary>
internal sealed class FindingsSpool : IDisposable
{
    private const int FlushThreshold = 1 << 20;
    private static readonly byte[] Separator = ",\n    "u8.ToArray();

    internal static readonly JsonWriterOptions CompactOptions = new()
    {
        // Relaxed escaping keeps scanner text readable and fast; consumers escape for their own output format.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    private readonly FileStream _file;
    private readonly ArrayBufferWriter<byte> _buffer = new(FlushThreshold + (FlushThreshold / 2));
    private readonly Utf8JsonWriter _json;

    public FindingsSpool(string directory)
    {
        var path = Path.Combine(directory, $".scangate-findings-{Guid.NewGuid():N}.tmp");
        _file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16,
            FileOptions.DeleteOnClose | FileOptions.SequentialScan);
        _json = new Utf8JsonWriter(_buffer, CompactOptions);
    }

    public long Count { get; private set; }

    public void Write(FindingEvaluation finding)
    {
        if (Count > 0)
        {
            _buffer.Write(Separator);
        }

        FindingJson.Write(_json, finding);
        _json.Flush();
        _json.Reset(_buffer);
        Count++;
        if (_buffer.WrittenCount >= FlushThreshold)
        {
            _file.Write(_buffer.WrittenSpan);
            _buffer.ResetWrittenCount();
        }
    }

    /// <summary>Appends everything written so far to <paramref name="destination"/>.</summary>
    public async Task CopyToAsync(Stream destination, CancellationToken cancellationToken)
    {
        if (_buffer.WrittenCount > 0)
        {
            await _file.WriteAsync(_buffer.WrittenMemory, cancellationToken);
            _buffer.ResetWrittenCount();
        }

        await _file.FlushAsync(cancellationToken);
        _file.Position = 0;
        await _file.CopyToAsync(destination, 1 << 20, cancellationToken);
    }

    public void Dispose()
    {
        _json.Dispose();
        _file.Dispose();
    }
}

/// <summary>The <c>findings[]</c> element of <c>scangate-result.json</c> (docs/result-schema.md).</summary>
public static class FindingJson
{
    public static void Write(Utf8JsonWriter json, FindingEvaluation finding)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(finding);
        var d = finding.Detection;
        json.WriteStartObject();
        json.WriteString("host"u8, d.Ip);
        json.WriteString("dns"u8, d.Dns);
        json.WriteString("netbios"u8, d.Netbios);
        json.WriteString("os"u8, d.Os);
        json.WriteNumber("qid"u8, d.Qid);
        json.WriteString("title"u8, d.Title);
        json.WriteNumber("severity"u8, finding.Severity);
        json.WriteString("type"u8, finding.Type == FindingType.Confirmed ? "confirmed"u8 : "potential"u8);
        json.WriteString("category"u8, d.Category);
        json.WriteString("port"u8, d.Port);
        json.WriteString("protocol"u8, d.Protocol);
        json.WriteStartArray("cves"u8);
        foreach (var cve in finding.Cves)
        {
            json.WriteStringValue(cve);
        }

        json.WriteEndArray();
        WriteScore(json, "cvss2"u8, finding.Cvss2);
        json.WriteString("cvss2_vector"u8, finding.Cvss2Vector);
        WriteScore(json, "cvss3"u8, finding.Cvss3);
        json.WriteString("cvss3_vector"u8, finding.Cvss3Vector);
        json.WriteBoolean("pci"u8, finding.Pci);
        json.WriteBoolean("exploitable"u8, HasText(d.Exploitability));
        json.WriteBoolean("malware"u8, HasText(d.AssociatedMalware));
        json.WriteString("bugtraq_id"u8, d.BugtraqId);
        json.WriteString("results"u8, d.Results);
        json.WriteString("solution"u8, d.Solution);
        json.WriteBoolean("evaluated"u8, finding.Evaluated);
        WriteKeys(json, "matched"u8, finding.Matched);
        WriteKeys(json, "warned"u8, finding.Warned);
        if (finding.ExcludedBy is null)
        {
            json.WriteNull("excluded"u8);
        }
        else
        {
            json.WriteStartObject("excluded"u8);
            json.WriteString("by"u8, finding.ExcludedBy);
            json.WriteString("value"u8, finding.ExcludedValue);
            json.WriteEndObject();
        }

        if (finding.ExceptedBy is not { } exception)
        {
            json.WriteNull("excepted"u8);
        }
        else
        {
            json.WriteStartObject("excepted"u8);
            json.WriteString("id"u8, exception.Id);
            json.WriteString("reason"u8, exception.Reason);
            json.WriteString("expires"u8, exception.Expires.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
            json.WriteEndObject();
        }

        json.WriteEndObject();
    }

    private static void WriteScore(Utf8JsonWriter json, ReadOnlySpan<byte> name, double? score)
    {
        if (score is { } value)
        {
            json.WriteNumber(name, value);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static void WriteKeys(Utf8JsonWriter json, ReadOnlySpan<byte> name, CriterionSet flags)
    {
        json.WriteStartArray(name);
        if (flags != CriterionSet.None)
        {
            foreach (var key in CriteriaKeys.Names(flags))
            {
                json.WriteStringValue(key);
            }
        }

        json.WriteEndArray();
    }

    // "N/A" and "-" are how Qualys says "none" in these columns.
    private static bool HasText(string? value) =>
        !string.IsNullOrWhiteSpace(value) && value.Trim() is not ("-" or "N/A" or "n/a" or "None" or "none");
}
