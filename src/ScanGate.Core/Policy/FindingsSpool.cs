using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using ScanGate.Results;

namespace ScanGate.Policy;

/// <summary>
/// Collects the <c>findings</c> of <c>scangate-result.json</c>, which come last in the file, after a head (verdict,
/// criteria, counts) known only once every row is judged. Small results stay in memory and are written after the head.
/// A large one streams straight into the result file behind a reserved slot, and the head is written into that slot at
/// the end (padded with JSON whitespace), so hundreds of MB of findings are written once rather than spooled and copied.
/// </summary>
internal sealed class FindingsSpool : IDisposable
{
    /// <summary>Findings up to this size are kept in memory; beyond it they stream into the file.</summary>
    internal const int InMemoryLimit = 8 << 20;

    /// <summary>Room reserved for the head in streaming mode. A larger head (huge found-QID lists) falls back to a copy.</summary>
    internal const int HeadSlotSize = 1 << 20;

    private const int FlushThreshold = 1 << 20;
    private static readonly byte[] Separator = ",\n    "u8.ToArray();
    private static readonly byte[] FirstSeparator = "\n    "u8.ToArray();
    private static readonly byte[] Tail = "\n  ]\n}\n"u8.ToArray();

    internal static readonly JsonWriterOptions CompactOptions = new()
    {
        // Relaxed escaping keeps scanner text readable and fast; consumers escape for their own output format.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    private readonly string _path;
    private readonly int _inMemoryLimit;
    private readonly int _headSlotSize;
    private readonly ArrayBufferWriter<byte> _buffer = new(FlushThreshold + (FlushThreshold / 2));
    private readonly Utf8JsonWriter _json;
    private FileStream? _file;
    private bool _completed;

    /// <param name="path">The file to write (the result's temporary name); created here, replaced when it exists.</param>
    /// <param name="inMemoryLimit">Tests use small limits to exercise streaming.</param>
    /// <param name="headSlotSize">Tests use small slots to exercise the fallback.</param>
    public FindingsSpool(string path, int inMemoryLimit = InMemoryLimit, int headSlotSize = HeadSlotSize)
    {
        _path = path;
        _inMemoryLimit = inMemoryLimit;
        _headSlotSize = headSlotSize;
        _json = new Utf8JsonWriter(_buffer, CompactOptions);
    }

    public long Count { get; private set; }

    /// <summary>True once the findings outgrew memory and stream into the file.</summary>
    public bool IsStreaming => _file is not null;

    public void Write(FindingEvaluation finding)
    {
        _buffer.Write(Count == 0 ? FirstSeparator : Separator);
        FindingJson.Write(_json, finding);
        _json.Flush();
        _json.Reset(_buffer);
        Count++;
        if (_file is not null ? _buffer.WrittenCount >= FlushThreshold : _buffer.WrittenCount >= _inMemoryLimit)
        {
            _file ??= OpenWithSlot();
            _file.Write(_buffer.WrittenSpan);
            _buffer.ResetWrittenCount();
        }
    }

    /// <summary>
    /// Writes the whole file: <paramref name="head"/> (everything up to and including <c>"findings": [</c>), the
    /// findings, and the closing brackets. The file is complete when this returns.
    /// </summary>
    public async Task CompleteAsync(ReadOnlyMemory<byte> head, CancellationToken cancellationToken)
    {
        if (_file is null)
        {
            var file = CreateFresh(_path, FileAccess.Write, FileOptions.Asynchronous);
            await using (file)
            {
                await file.WriteAsync(head, cancellationToken);
                await file.WriteAsync(_buffer.WrittenMemory, cancellationToken);
                await file.WriteAsync(Tail, cancellationToken);
            }

            _completed = true;
            return;
        }

        await _file.WriteAsync(_buffer.WrittenMemory, cancellationToken);
        _buffer.ResetWrittenCount();
        await _file.WriteAsync(Tail, cancellationToken);
        if (head.Length <= _headSlotSize)
        {
            var slot = new byte[_headSlotSize];
            head.CopyTo(slot);
            slot.AsSpan(head.Length).Fill((byte)' ');
            await RandomAccess.WriteAsync(_file.SafeFileHandle, slot, 0, cancellationToken);
            await _file.FlushAsync(cancellationToken);
            _completed = true;
            return;
        }

        // The head outgrew its slot: write it to a second file, copy the findings after it, and take its place.
        var larger = _path + ".head";
        try
        {
            var file = CreateFresh(larger, FileAccess.Write, FileOptions.Asynchronous);
            await using (file)
            {
                await file.WriteAsync(head, cancellationToken);
                await _file.FlushAsync(cancellationToken);
                _file.Position = _headSlotSize;
                await _file.CopyToAsync(file, 1 << 20, cancellationToken);
            }

            await _file.DisposeAsync();
            File.Move(larger, _path, overwrite: true);
            _completed = true;
        }
        finally
        {
            File.Delete(larger);
        }
    }

    /// <summary>Closes the file; one that was never completed is deleted (no half-written result is left behind).</summary>
    public void Dispose()
    {
        _json.Dispose();
        _file?.Dispose();
        _file = null;
        if (!_completed)
        {
            File.Delete(_path);
        }
    }

    // A new file, never a truncated one: on ext4, closing a file that was truncated to zero and rewritten forces block
    // allocation of everything written (auto_da_alloc), which cost 0.15 s on a 300 MB result.
    private static FileStream CreateFresh(string path, FileAccess access, FileOptions options)
    {
        File.Delete(path);
        return new FileStream(path, FileMode.CreateNew, access, FileShare.None, 1 << 16, options);
    }

    private FileStream OpenWithSlot()
    {
        var file = CreateFresh(_path, FileAccess.ReadWrite, FileOptions.SequentialScan);
        file.Write(new byte[_headSlotSize]);
        return file;
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
        WriteText(json, "title"u8, d.TitleJson, d.TitleJson is null ? d.Title : null);
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
        WriteText(json, "results"u8, d.ResultsJson, d.ResultsJson is null ? d.Results : null);
        WriteText(json, "solution"u8, d.SolutionJson, d.SolutionJson is null ? d.Solution : null);
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

    // A text the reader kept as its (validated) JSON token is copied as is: no decoding to UTF-16 and re-encoding.
    private static void WriteText(Utf8JsonWriter json, ReadOnlySpan<byte> name, byte[]? token, string? text)
    {
        if (token is not null)
        {
            json.WritePropertyName(name);
            json.WriteRawValue(token, skipInputValidation: true);
        }
        else
        {
            json.WriteString(name, text);
        }
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
